/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPMIRROR_CLI_COLLECT_H
#define DPMIRROR_CLI_COLLECT_H

/*
 * dpmirrorctl collect (DESIGN section 3): receive tunnelled copies (live
 * with libpcap or from a capture file), decapsulate them and write the
 * plain frames with libpcap, reporting per tunnel frames, bytes,
 * truncated copies and copies lost to sequence gaps.  Takes the
 * arguments after "collect"; returns 0 done, 1 usage error, 2 an input or
 * output that cannot be used (with a message naming it on stderr).
 */
int cli_collect(int argc, char **argv);

#endif /* DPMIRROR_CLI_COLLECT_H */
