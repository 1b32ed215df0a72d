/*
 * Realm migration (docs/migration.md): the session kept in the RD, the
 * record layer (AES-256-GCM through libcrypto, as measure/ uses its SHA),
 * and the hooks other components call.
 *
 * Locks: the session lives in the RD granule. Its state changes under the
 * RD lock and is read atomically by REC_ENTER and the vCPU fault path.
 * Each stream is owned by one call at a time through its 'busy' flag
 * (try-acquire, never waited for, so it takes no place in the lock order);
 * commands that need every stream idle (EPOCH, END, ABORT, COMMIT) take all
 * flags under the RD lock. A stream's seq is protected by its flag; the
 * epoch changes only while all flags are held. A stream's fresh count is
 * its flag's too (summed by mig_fresh with every flag held). dirty and
 * layout_n are atomic.
 */
#ifndef RMM_MIG_H
#define RMM_MIG_H

#include <rmm/migrate.h>
#include "core/rmm_int.h"

struct realm;
struct rec;
struct rmm_vcpu;
struct rmm_vcpu_exit;

/* One stream: a cache line of its own, so streams on two CPUs share none. */
struct mig_stream {
	uint64_t seq;             /* records sent (source) / applied (destination) */
	uint64_t fresh;           /* pages exported / imported the first time on it */
	_Atomic uint8_t busy;
} __attribute__((aligned(64)));

struct mig_session {
	_Atomic uint8_t state;    /* enum rmm_mig_state */
	uint8_t have_end;         /* destination: END applied */
	uint8_t gen;              /* source: session number (REC mig_exported) */
	uint8_t pad;
	uint32_t epoch;
	uint64_t session;
	uint8_t key_enc[32], key_dec[32]; /* source: FWD/BWD; destination: BWD/FWD */
	uint64_t kid_enc, kid_dec;        /* instance-unique key ids (EVP caches) */
	uint8_t binding[16];
	uint32_t num_recs;                /* REC index bound (IMMUTABLE @20) */
	uint32_t recs_done;               /* RECs exported / imported (RD lock) */
	uint32_t recs_live;               /* source: RECs at START (none come or go) */
	_Atomic uint64_t dirty;           /* source: exported pages written since */
	_Atomic uint64_t layout_n;        /* layout entries sent / applied */
	uint64_t layout_cursor;           /* source: next IPA for EXPORT_LAYOUT */
	struct mig_stream st[RMM_MIG_STREAMS];
	/* destination: what END said */
	uint64_t end_counts[RMM_MIG_STREAMS], end_fresh, end_layout, end_time;
	uint32_t end_epoch, end_recs;
	uint8_t end_rems[4][64];
};

/* Granule metadata bits (struct granule.mig), protected by the granule lock. */
#define MIG_G_EXPORTED 1u   /* source: sent in this session (write-protected) */
#define MIG_G_DIRTY    2u   /* source: written after its last export */
#define MIG_G_IMPORTED 4u   /* destination: imported in this session */

#define DESC_S2AP_W (1ull << 7)

/* Pages exported / imported the first time, over every stream (the caller
 * holds every stream's flag). */
static inline uint64_t mig_fresh(const struct mig_session *m)
{
	uint64_t n = 0;

	for (unsigned int s = 0; s < RMM_MIG_STREAMS; s++)
		n += m->st[s].fresh;
	return n;
}

static inline unsigned int mig_state_get(const struct mig_session *m)
{
	return atomic_load_explicit(&m->state, memory_order_acquire);
}

/* --- instance part (mig_key.c) --- */
int mig_instance_init(struct rmm *rmm);
void mig_instance_fini(struct rmm *rmm);
/* Take the key installed for (session, dir): 0, or -1 if there is none. */
int mig_key_take(struct rmm *rmm, uint64_t session, unsigned int dir, uint8_t key[32],
		 uint64_t *kid);
/* Put a key back (a session start that failed after taking it). */
void mig_key_untake(struct rmm *rmm, uint64_t session, unsigned int dir);
void mig_key_commit(struct rmm *rmm, uint64_t session);
/* A CPU's cached AES-GCM context and nonce block (used only by calls on
 * that CPU; a cache line of its own, so streams on two CPUs share none). */
struct mig_cpu {
	void *ctx;        /* EVP_CIPHER_CTX */
	uint64_t kid;     /* key it holds (0: none) */
	int enc;
	uint64_t nonce, nonce_end;  /* next nonce of this CPU's block; its end */
} __attribute__((aligned(64)));
struct mig_cpu *mig_cpu_of(struct rmm *rmm, unsigned int cpu);
/* The next nonce for an encryption on 'cpu': from the CPU's block of
 * MIG_NONCE_BLOCK, taken from the instance counter when it runs out. */
#define MIG_NONCE_BLOCK 64u
uint64_t mig_nonce_next(struct rmm *rmm, unsigned int cpu);
void mig_audit_use(struct rmm *rmm, const uint8_t key[32], const uint8_t iv[12]);
/* RMM_CFG_TRACE: the key installs, as trace records (NULL: no instance
 * part). Read by rmm_trace_save with no call in flight. */
struct rmm_tbuf *mig_trace_buf(struct rmm *rmm);

/* --- records (mig_record.c) --- */
struct mig_hdr {
	uint8_t type, dir;
	uint16_t stream;
	uint32_t epoch;
	uint64_t session, seq, nonce;
	uint32_t body_len;
	uint8_t binding[16];
};
void mig_hdr_pack(const struct mig_hdr *h, uint8_t out[RMM_MIG_HDR_SIZE]);
/* Section 2's header checks that need no session: magic, version, type,
 * reserved, stream. Returns 0 or an rmi_mig_reason. */
unsigned int mig_hdr_unpack(const uint8_t in[RMM_MIG_HDR_SIZE], struct mig_hdr *h);
/* Seal: header packed with a fresh nonce, body encrypted, tag appended.
 * rec must hold HDR + body_len + TAG bytes. */
void mig_seal(struct rmm *rmm, unsigned int cpu, const uint8_t key[32], uint64_t kid,
	      struct mig_hdr *h, const void *body, uint8_t *rec);
/* The same with the body in two parts: head_len bytes at head, then the rest
 * (body_len - head_len) at tail (a page read in place, no copy). */
void mig_seal2(struct rmm *rmm, unsigned int cpu, const uint8_t key[32], uint64_t kid,
	       struct mig_hdr *h, const void *head, uint32_t head_len, const void *tail,
	       uint8_t *rec);
/* mig_seal2 straight into NS memory at 'pa' (HDR + body_len + TAG bytes,
 * across granules), each NS granule locked while it is written (innermost:
 * the caller may hold any granule locks; those it holds are listed in
 * held[nheld] and count as not NS). The nonce is used whatever happens. 0,
 * or -1 if a granule of the range is not (or no longer) in the NS PAS: the
 * record is then incomplete in NS memory. */
struct granule;
int mig_seal_ns(struct rmm *rmm, unsigned int cpu, const uint8_t key[32], uint64_t kid,
		struct mig_hdr *h, const void *head, uint32_t head_len, const void *tail,
		uint64_t pa, struct granule *const *held, unsigned int nheld);
/* Open: decrypt rec's body into 'body' and verify the tag. 0 or -1. */
int mig_open(struct rmm *rmm, unsigned int cpu, const uint8_t key[32], uint64_t kid,
	     const uint8_t *rec, const struct mig_hdr *h, void *body);
/* Open in two steps, for a body decrypted partly in place: begin decrypts
 * the first head_len bytes into 'head' (not yet authenticated); finish
 * decrypts the rest into 'tail' and verifies the tag (0 or -1). Nothing may
 * use the CPU's cipher context in between. */
void mig_open_begin(struct rmm *rmm, unsigned int cpu, const uint8_t key[32], uint64_t kid,
		    const uint8_t *rec, const struct mig_hdr *h, void *head, uint32_t head_len);
int mig_open_finish(struct rmm *rmm, unsigned int cpu, const uint8_t *rec,
		    const struct mig_hdr *h, uint32_t head_len, void *tail);
void mig_binding(uint64_t session, const uint8_t immut[256], uint8_t out[16]);
size_t mig_body_len_ok(unsigned int type, uint32_t len);

/* --- common helpers (mig_common.c) --- */
uint64_t mig_fail(struct call *c, unsigned int reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Write a record to NS memory (any length, across granules): 0 or -1. */
int mig_ns_write(struct call *c, uint64_t pa, const void *src, size_t len);
/* An NS buffer the RMM will write: in DRAM and NS now, else INPUT. */
uint64_t mig_out_check(struct call *c, uint64_t pa, uint64_t len, const char *what);
bool mig_stream_get(struct mig_session *m, unsigned int s);
void mig_stream_put(struct mig_session *m, unsigned int s);
/* All streams, or none (false). */
bool mig_streams_all(struct mig_session *m);
void mig_streams_put_all(struct mig_session *m);
/* The RMI commands other components gate on migration (docs section 3).
 * Returns RMI_SUCCESS or (ERROR_REALM, 2) with a reason. */
enum mig_op { MIG_OP_CHANGE, MIG_OP_TEARDOWN, MIG_OP_PSCI };
uint64_t mig_gate(struct call *c, const struct realm *r, enum mig_op op);
/* REC_ENTER: may a REC of this realm run now? */
bool mig_may_run(const struct realm *r);
const char *mig_state_name(unsigned int st);

/* --- export (mig_export.c) --- */
uint64_t mig_lock_rd(struct call *c, uint64_t rd, struct granule **g, struct realm **r);
uint64_t mig_state_fail(struct call *c, const struct realm *r, const char *want);
void mig_immutable_body(struct rmm *rmm, const struct realm *r, uint32_t num_recs,
			uint8_t b[256]);
void mig_seal_next(struct call *c, struct realm *r, unsigned int type, unsigned int stream,
		   const void *body, uint32_t len, uint8_t *rec);
/* mig_seal_next with a two-part body (mig_seal2): head_len of len at head. */
void mig_seal_next2(struct call *c, struct realm *r, unsigned int type, unsigned int stream,
		    const void *head, uint32_t head_len, const void *tail, uint32_t len,
		    uint8_t *rec);

/* mig_seal_next2 straight into NS memory at pa (mig_seal_ns): 0 or -1. */
int mig_seal_next_ns(struct call *c, struct realm *r, unsigned int type, unsigned int stream,
		     const void *head, uint32_t head_len, const void *tail, uint32_t len,
		     uint64_t pa, struct granule *const *held, unsigned int nheld);

/* --- import (mig_import.c) --- */
uint64_t mig_import_fatal(struct call *c, struct realm *r, unsigned int reason, const char *what);
struct mig_hdr;
unsigned int mig_check_hdr(const struct mig_session *m, const struct mig_hdr *h);
bool mig_zero_bytes(const uint8_t *p, size_t n);

/* --- RTT walks (mig_walk.c) --- */
/* Visit every level-3-or-block leaf of the realm from 'ipa' (RD locked by
 * the caller; RTTs locked root to leaf while visited). fn returns true to
 * stop; the IPA after the last visited entry is returned. */
typedef bool (*mig_leaf_fn)(struct call *c, void *ctx, uint64_t ipa, int level, uint64_t *tbl,
			    unsigned int idx);
uint64_t mig_walk(struct call *c, struct realm *r, uint64_t ipa, mig_leaf_fn fn, void *ctx);
/* Clear the session's marks: write permission back, granule bits off. */
void mig_unmark_all(struct call *c, struct realm *r);
/* The invariant checker: does a level-3 ASSIGNED entry (descriptor 'desc',
 * DATA granule g) carry marks the realm's migration state forbids? */
struct granule;
bool mig_marks_bad(const struct realm *r, const struct granule *g, uint64_t desc);
/* The vCPU write-fault path: true if 'ipa' was write-protected for export
 * (now dirty and writable again: retry the access). No locks held. */
bool mig_write_fault(struct rmm_vcpu *v, const struct rmm_vcpu_exit *f);

/* --- REC state (mig_rec.c) --- */
size_t mig_rec_state_size(void);
unsigned int mig_rec_nfields(void);
size_t mig_rec_pack(const struct rec *rec, uint8_t *out);
/* 0 or an rmi_mig_reason (FORMAT). */
unsigned int mig_rec_unpack(struct rec *rec, const uint8_t *in, size_t len);

#endif
