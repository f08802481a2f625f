/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness of dpmirrorctl collect's decapsulator (cli_decap.h).
 * Each input is decoded as a frame from a heap copy of exactly its size
 * (so ASan sees any overread), with the default ports and with others,
 * and the result checked against the contract: the inner frame lies in
 * the frame, the fields a kind does not have are 0, a malformed frame
 * names its kind, the outcome does not depend on bytes after the IP
 * datagram.  The same bytes then drive the sequence tracker (as 32-bit
 * numbers, and as small steps) and the timestamp conversion, whose
 * counters and results must stay consistent.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli_decap.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FRAME 65600

static int
all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

static int
same(const struct dcp_result *a, const struct dcp_result *b)
{
	return a->kind == b->kind && a->family == b->family &&
	       memcmp(a->src, b->src, 16) == 0 &&
	       memcmp(a->dst, b->dst, 16) == 0 && a->has_id == b->has_id &&
	       a->id == b->id && a->has_seq == b->has_seq &&
	       a->seq == b->seq && a->truncated == b->truncated &&
	       a->vlan == b->vlan && a->cos == b->cos &&
	       a->en_or_bso == b->en_or_bso && a->index == b->index &&
	       a->has_ts == b->has_ts && a->timestamp == b->timestamp &&
	       a->gra == b->gra && a->direction == b->direction &&
	       a->inner_off == b->inner_off && a->inner_len == b->inner_len;
}

static void
check_result(int rc, const struct dcp_result *r, uint32_t len)
{
	int erspan;

	CHECK(rc == DCP_OK || rc == DCP_NOT_TUNNEL || rc == DCP_MALFORMED);
	if (rc == DCP_MALFORMED)
		CHECK(r->kind > DCP_NONE && r->kind < DCP_N_KINDS);
	if (rc != DCP_OK)
		return;
	CHECK(r->kind > DCP_NONE && r->kind < DCP_N_KINDS);
	CHECK(r->family == 4 || r->family == 6);
	if (r->family == 4) {
		CHECK(all_zero(r->src + 4, 12));
		CHECK(all_zero(r->dst + 4, 12));
	}
	/* Ethernet, IPv4, GRE: the shortest outer header. */
	CHECK(r->inner_off >= 14 + 20 + 4);
	CHECK(r->inner_off <= len);
	CHECK(r->inner_len <= len - r->inner_off);
	CHECK(r->inner_len >= 14);
	erspan = r->kind == DCP_ERSPAN2 || r->kind == DCP_ERSPAN3;
	if (r->kind == DCP_VXLAN || r->kind == DCP_GENEVE) {
		CHECK(r->has_id && r->id <= 0xffffff);
		CHECK(!r->has_seq && r->seq == 0);
	}
	if (erspan)
		CHECK(r->has_id && r->id <= 1023 && r->has_seq);
	if (!r->has_id)
		CHECK(r->id == 0);
	if (!r->has_seq)
		CHECK(r->seq == 0);
	if (!erspan)
		CHECK(r->truncated == 0 && r->vlan == 0 && r->cos == 0 &&
		      r->en_or_bso == 0);
	CHECK(r->vlan <= 0xfff && r->cos <= 7 && r->en_or_bso <= 3 &&
	      r->truncated <= 1);
	if (r->kind != DCP_ERSPAN2)
		CHECK(r->index == 0);
	CHECK(r->index <= 0xfffff);
	if (r->kind != DCP_ERSPAN3)
		CHECK(!r->has_ts && r->timestamp == 0 && r->gra == 0 &&
		      r->direction == 0);
	else
		CHECK(r->has_ts && r->gra <= 3 && r->direction <= 1);
}

static uint64_t
open_holes(const struct dcp_seq *s)
{
	return dcp_seq_open(s);
}

static void
check_seq(const struct dcp_seq *s, uint64_t lost_before)
{
	CHECK(s->added == s->seen + s->dups + s->late);
	CHECK(s->span == s->seen + dcp_seq_lost(s) + open_holes(s));
	CHECK(dcp_seq_reordered(s) <= s->seen);
	CHECK(open_holes(s) < DCP_WINDOW);
	CHECK(dcp_seq_lost(s) >= lost_before);
}

static void
fuzz_seq(const uint8_t *data, size_t size)
{
	struct dcp_seq a, b;
	uint64_t lost;
	uint32_t x = 0;
	size_t i;

	/* Whole numbers: every wrap, jump and restart. */
	dcp_seq_init(&a);
	for (i = 0; i + 4 <= size; i += 4) {
		lost = dcp_seq_lost(&a);
		dcp_seq_add(&a, (uint32_t)data[i] << 24 |
				       (uint32_t)data[i + 1] << 16 |
				       (uint32_t)data[i + 2] << 8 | data[i + 3]);
		check_seq(&a, lost);
	}
	lost = dcp_seq_lost(&a);
	dcp_seq_finish(&a);
	check_seq(&a, lost);
	CHECK(open_holes(&a) == 0);

	/* Small steps from a start near the wrap: the window's own cases
	 * (reordering, duplicates, late numbers). */
	dcp_seq_init(&b);
	x = 0xffffff00u;
	for (i = 0; i < size; i++) {
		x += (uint32_t)(int32_t)(int8_t)data[i];
		lost = dcp_seq_lost(&b);
		dcp_seq_add(&b, x);
		check_seq(&b, lost);
		if (i == size / 2) {
			lost = dcp_seq_lost(&b);
			dcp_seq_finish(&b);
			check_seq(&b, lost);
		}
	}
	dcp_seq_finish(&b);
	check_seq(&b, 0);
	CHECK(open_holes(&b) == 0);
}

static uint64_t
dist(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/* The time is one TS stands for, and no other one it stands for (a
 * period earlier or later) is closer to the capture time. */
static void
fuzz_ts(const uint8_t *data, size_t size)
{
	const uint64_t period = (UINT64_C(1) << 32) * 100; /* ns */
	uint64_t near = 0, t, d;
	uint32_t ts = 0;
	size_t i;

	if (size < 12)
		return;
	for (i = 0; i < 4; i++)
		ts = ts << 8 | data[i];
	for (i = 4; i < 12; i++)
		near = near << 8 | data[i];
	near %= UINT64_C(1) << 62; /* ns since the epoch: years < 2100 */
	t = dcp_ts_to_ns(ts, near);
	CHECK(t % 100 == 0);
	CHECK((uint32_t)(t / 100) == ts);
	d = dist(t, near);
	CHECK(d < period);
	if (t >= period)
		CHECK(dist(t - period, near / 100 * 100) >=
		      dist(t, near / 100 * 100));
	CHECK(dist(t + period, near / 100 * 100) >= dist(t, near / 100 * 100));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dcp_result r, r2, rp;
	struct dcp_opts o;
	uint8_t *f, *padded;
	uint32_t len;
	int rc, rc2;

	if (size > MAX_FRAME)
		return 0;
	len = (uint32_t)size;
	f = malloc(size ? size : 1);
	CHECK(f != NULL);
	memcpy(f, data, size);

	rc = dcp_decap(f, len, NULL, &r);
	check_result(rc, &r, len);
	/* Deterministic. */
	rc2 = dcp_decap(f, len, NULL, &r2);
	CHECK(rc2 == rc && (rc != DCP_OK || same(&r, &r2)));

	/* Other ports: GRE kinds do not depend on them. */
	memset(&o, 0, sizeof(o));
	o.vxlan_ports[0] = 8472;
	o.vxlan_ports[1] = 4789;
	o.n_vxlan_ports = 2;
	o.geneve_port = 7000;
	rc2 = dcp_decap(f, len, &o, &r2);
	check_result(rc2, &r2, len);
	if (rc == DCP_OK && r.kind != DCP_GENEVE)
		CHECK(rc2 == DCP_OK && same(&r, &r2));

	/* Bytes after the datagram (Ethernet padding) change nothing once
	 * the IP lengths fit. */
	if (rc != DCP_NOT_TUNNEL) {
		padded = malloc(size + 64);
		CHECK(padded != NULL);
		memcpy(padded, data, size);
		memset(padded + size, 0xa5, 64);
		rc2 = dcp_decap(padded, len + 64, NULL, &rp);
		CHECK(rc2 == rc);
		if (rc == DCP_OK)
			CHECK(same(&r, &rp));
		free(padded);
	}
	free(f);

	fuzz_seq(data, size);
	fuzz_ts(data, size);
	return 0;
}
