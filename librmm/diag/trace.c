/*
 * RMI traces: record every call (registers in and out, the NS memory the RMM
 * read for it), serialise them in global order, replay them.
 *
 * Stream (little-endian): header "RMMTRC1\0", u32 version 2, u32 ncpus; then
 * one record per call: u32 'CALL', u32 nsnaps, u64 seq, u32 cpu, u32 0,
 * u64 in[18], u64 out[18], and nsnaps times { u64 pa, u32 len, u32 0,
 * len bytes padded to 8 }. Each CPU appends to its own buffer (no shared
 * lock); saving merges the buffers by seq, the order calls completed in.
 * Version 2 adds the trusted migration key install (not an RMI call, so on
 * no CPU): u32 'KEYI', u32 0, u64 seq, u32 0, u32 0, in[18] = { 0, session,
 * direction, key (4 u64), 0... }, out[18] = { result (s64), 0... }, kept
 * in the migration instance's buffer and merged the same way. Such a trace
 * holds the session keys. Replay reads versions 1 and 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rmi_table.h"
#include "diag/trace.h"
#include "granule/granule.h"
#include "migrate/mig.h"

#define TRACE_MAGIC "RMMTRC1"
#define CALL_MAGIC 0x4c4c4143u  /* "CALL" */
#define KEY_MAGIC 0x4959454bu   /* "KEYI" */
#define REC_FIXED (4 + 4 + 8 + 4 + 4 + 18 * 8 * 2)

static int tb_put(struct rmm_tbuf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *d;

		while (cap < b->len + n)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d)
			return -1;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

void trace_begin(struct call *c, const uint64_t *x)
{
	struct rmm_cpu *pc = &c->rmm->cpus[c->cpu];

	memcpy(pc->trace_in, x, sizeof(pc->trace_in));
	pc->snaps.len = 0;
	pc->nsnaps = 0;
}

void trace_snap(struct call *c, uint64_t pa, const void *buf, size_t len)
{
	struct rmm_cpu *pc = &c->rmm->cpus[c->cpu];
	uint8_t h[16];
	static const uint8_t pad[8];

	put64(h, pa);
	put32(h + 8, (uint32_t)len);
	put32(h + 12, 0);
	if (tb_put(&pc->snaps, h, 16) || tb_put(&pc->snaps, buf, len) ||
	    tb_put(&pc->snaps, pad, (8 - len % 8) % 8))
		return;
	pc->nsnaps++;
}

void trace_end(struct call *c, const uint64_t *x)
{
	struct rmm_cpu *pc = &c->rmm->cpus[c->cpu];
	uint8_t h[REC_FIXED];

	put32(h, CALL_MAGIC);
	put32(h + 4, pc->nsnaps);
	put64(h + 8, atomic_fetch_add(&c->rmm->trace_seq, 1) + 1);
	put32(h + 16, c->cpu);
	put32(h + 20, 0);
	for (int i = 0; i < 18; i++) {
		put64(h + 24 + 8 * i, pc->trace_in[i]);
		put64(h + 24 + 144 + 8 * i, x[i]);
	}
	if (tb_put(&pc->trace, h, sizeof(h)) == 0)
		tb_put(&pc->trace, pc->snaps.data, pc->snaps.len);
}

void trace_key(struct rmm *rmm, struct rmm_tbuf *b, uint64_t session, unsigned int dir,
	       const uint8_t key[32], int rc)
{
	uint8_t h[REC_FIXED];

	memset(h, 0, sizeof(h));
	put32(h, KEY_MAGIC);
	put64(h + 8, atomic_fetch_add(&rmm->trace_seq, 1) + 1);
	put64(h + 24 + 8, session);
	put64(h + 24 + 16, dir);
	memcpy(h + 24 + 24, key, 32);
	put64(h + 24 + 144, (uint64_t)(int64_t)rc);
	tb_put(b, h, sizeof(h));
}

/* Length of the record at p (0 if malformed), given 'left' bytes. */
static size_t rec_len(const uint8_t *p, size_t left)
{
	size_t n = REC_FIXED;
	uint32_t ns;

	if (left < REC_FIXED || (get32(p) != CALL_MAGIC && get32(p) != KEY_MAGIC))
		return 0;
	ns = get32(p + 4);
	if (get32(p) == KEY_MAGIC && ns)
		return 0;
	for (uint32_t i = 0; i < ns; i++) {
		size_t l;

		if (left < n + 16)
			return 0;
		l = get32(p + n + 8);
		n += 16 + l + (8 - l % 8) % 8;
		if (n > left)
			return 0;
	}
	return n;
}

/* The buffers a trace merges: each CPU's, then the key installs'. */
static const struct rmm_tbuf *trace_src(struct rmm *rmm, unsigned int i)
{
	return i < rmm->cfg.ncpus ? &rmm->cpus[i].trace : mig_trace_buf(rmm);
}

int rmm_trace_save(struct rmm *rmm, int (*emit)(void *ctx, const void *buf, size_t len), void *ctx)
{
	unsigned int n = rmm->cfg.ncpus + 1;
	size_t *pos = calloc(n, sizeof(*pos));
	uint8_t h[16] = TRACE_MAGIC;
	int rc;

	if (!pos)
		return RMM_ENOMEM;
	put32(h + 8, 2);
	put32(h + 12, rmm->cfg.ncpus);
	rc = emit(ctx, h, sizeof(h));
	while (rc == 0) {
		unsigned int best = n;
		uint64_t best_seq = 0;

		for (unsigned int i = 0; i < n; i++) {
			const struct rmm_tbuf *b = trace_src(rmm, i);

			if (b && pos[i] < b->len &&
			    (best == n || get64(b->data + pos[i] + 8) < best_seq)) {
				best = i;
				best_seq = get64(b->data + pos[i] + 8);
			}
		}
		if (best == n)
			break;
		{
			const struct rmm_tbuf *b = trace_src(rmm, best);
			size_t l = rec_len(b->data + pos[best], b->len - pos[best]);

			rc = emit(ctx, b->data + pos[best], l);
			pos[best] += l;
		}
	}
	free(pos);
	return rc;
}

static int fail(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return RMM_EINVAL;
}

int rmm_trace_replay(struct rmm *rmm, const void *trace, size_t len, char *why, size_t whylen)
{
	const uint8_t *p = trace;
	size_t off = 16;
	uint64_t n = 0;

	if (len < 16 || memcmp(p, TRACE_MAGIC, 8) || get32(p + 8) < 1 || get32(p + 8) > 2)
		return fail(why, whylen, "not an RMI trace (version 1 or 2)");
	if (get32(p + 12) > rmm->cfg.ncpus)
		return fail(why, whylen, "the trace has %u CPUs, the instance %u", get32(p + 12),
			    rmm->cfg.ncpus);
	while (off < len) {
		const uint8_t *r = p + off;
		size_t l = rec_len(r, len - off), s = REC_FIXED;
		uint32_t cpu, ns;
		uint64_t x[18];
		const struct rmi_cmd *cmd;

		if (!l)
			return fail(why, whylen, "malformed record at byte %zu", off);
		if (get32(r) == KEY_MAGIC) {
			uint8_t key[32];
			int64_t want = (int64_t)get64(r + 24 + 144), got;

			memcpy(key, r + 24 + 24, 32);
			got = rmm_mig_key_install(rmm, get64(r + 24 + 8),
						  (unsigned int)get64(r + 24 + 16), key);
			memset(key, 0, sizeof(key));
			n++;
			if (got != want)
				return fail(why, whylen, "call %llu (migration key install): result %lld, "
					    "the trace says %lld", (unsigned long long)n,
					    (long long)got, (long long)want);
			off += l;
			continue;
		}
		cpu = get32(r + 16);
		ns = get32(r + 4);
		if (cpu >= rmm->cfg.ncpus)
			return fail(why, whylen, "record at byte %zu names cpu%u", off, cpu);
		for (uint32_t i = 0; i < ns; i++) {
			uint64_t pa = get64(r + s);
			uint32_t sl = get32(r + s + 8);

			/* the host's bytes as the RMM read them, where the
			 * host can still write them */
			if (rmm_granule_state(rmm, pa) == RMM_GRANULE_UNDELEGATED)
				rmm->hal->host_access(rmm->hal_h, pa, (void *)(r + s + 16), sl, 1);
			s += 16 + sl + (8 - sl % 8) % 8;
		}
		for (int i = 0; i < 18; i++)
			x[i] = get64(r + 24 + 8 * i);
		cmd = rmi_cmd_find((uint16_t)(x[0] & 0xffff));
		rmm_smc(rmm, cpu, x);
		n++;
		for (int i = 0; i < 18; i++) {
			uint64_t want = get64(r + 24 + 144 + 8 * i);

			if (x[i] != want)
				return fail(why, whylen,
					    "call %llu (cpu%u %s): X%d is 0x%llx, the trace says 0x%llx; "
					    "the RMM says: %s",
					    (unsigned long long)n, cpu, cmd ? cmd->name : "?", i,
					    (unsigned long long)x[i], (unsigned long long)want,
					    rmm_last_reason(rmm, cpu));
		}
		off += l;
	}
	return RMM_OK;
}
