/*
 * Realm live migration: librmm's own RMI extension (docs/migration.md is the
 * specification; this header is its C form).
 *
 * FIDs are SMC64 in the implementation-defined block 0xC40001D0-0xC40001DF,
 * outside the RMM 1.0 range. Records travel in NS memory the host owns;
 * every record is AES-256-GCM with its 64-byte header as additional data.
 * Keys never pass through the host: a trusted migration agent installs them
 * with rmm_mig_key_install(), and a session start consumes them.
 */
#ifndef RMM_MIGRATE_H
#define RMM_MIGRATE_H

#include <stdint.h>
#include <rmm/rmm.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RMI_MIG_FID(n) (0xC4000000ull | (n))
#define RMI_MIG_EXPORT_START  RMI_MIG_FID(0x1D0)
#define RMI_MIG_EXPORT_PAGES  RMI_MIG_FID(0x1D1)
#define RMI_MIG_EXPORT_LAYOUT RMI_MIG_FID(0x1D2)
#define RMI_MIG_EXPORT_EPOCH  RMI_MIG_FID(0x1D3)
#define RMI_MIG_EXPORT_PAUSE  RMI_MIG_FID(0x1D4)
#define RMI_MIG_EXPORT_REC    RMI_MIG_FID(0x1D5)
#define RMI_MIG_EXPORT_END    RMI_MIG_FID(0x1D6)
#define RMI_MIG_EXPORT_ABORT  RMI_MIG_FID(0x1D7)
#define RMI_MIG_EXPORT_DIRTY  RMI_MIG_FID(0x1D8)
#define RMI_MIG_IMPORT_START  RMI_MIG_FID(0x1D9)
#define RMI_MIG_IMPORT        RMI_MIG_FID(0x1DA)
#define RMI_MIG_IMPORT_REC    RMI_MIG_FID(0x1DB)
#define RMI_MIG_IMPORT_COMMIT RMI_MIG_FID(0x1DC)
#define RMI_MIG_IMPORT_ABORT  RMI_MIG_FID(0x1DD)

/* Status of a refused record or migration step: (RMI_ERROR_MIG, reason). */
#define RMI_ERROR_MIG 0x40u
enum rmi_mig_reason {
	RMI_MIG_KEY = 1,        /* no unused key installed for (session, direction) */
	RMI_MIG_FORMAT = 2,     /* magic, version, type, length or reserved bytes */
	RMI_MIG_AUTH = 3,       /* the GCM tag does not verify */
	RMI_MIG_SESSION = 4,    /* session id or direction of another session */
	RMI_MIG_BINDING = 5,    /* realm binding of another realm */
	RMI_MIG_STREAM = 6,     /* stream index out of range */
	RMI_MIG_SEQUENCE = 7,   /* not the next record of its stream */
	RMI_MIG_EPOCH = 8,      /* not the current epoch */
	RMI_MIG_ORDER = 9,      /* record type not allowed in this phase */
	RMI_MIG_DUPLICATE = 10, /* page twice in one epoch, REC twice */
	RMI_MIG_RANGE = 11,     /* IPA, level, RIPAS or REC index out of range */
	RMI_MIG_COUNT = 12,     /* counts differ from the epoch or end record */
	RMI_MIG_LAYOUT = 13,    /* the destination's RTT entry cannot take it */
	RMI_MIG_DIRTY = 14,     /* exported pages are dirty */
	RMI_MIG_INCOMPLETE = 15,/* pages, layout or RECs not exported/imported */
	RMI_MIG_PARAMS = 16,    /* realm parameters this RMM does not support */
	RMI_MIG_FAILED = 17,    /* the import failed before: destroy-only */
	RMI_MIG_TOKEN = 18,     /* an abort token is required, or it is invalid */
	RMI_MIG_NREASONS
};
RMM_API const char *rmm_mig_reason_name(unsigned int reason);

/* Record format (all little-endian). */
#define RMM_MIG_MAGIC 0x47494d52u   /* "RMIG" */
#define RMM_MIG_VERSION 1u
#define RMM_MIG_HDR_SIZE 64u
#define RMM_MIG_TAG_SIZE 16u
#define RMM_MIG_STREAMS 8u
enum rmm_mig_type {
	RMM_MIG_REC_IMMUTABLE = 1,
	RMM_MIG_REC_PAGE = 2,
	RMM_MIG_REC_LAYOUT = 3,
	RMM_MIG_REC_EPOCH = 4,
	RMM_MIG_REC_REC = 5,
	RMM_MIG_REC_END = 6,
	RMM_MIG_REC_ABORT = 7,
};
enum rmm_mig_dir { RMM_MIG_FWD = 0, RMM_MIG_BWD = 1 };
/* Page record kinds */
#define RMM_MIG_PAGE_DATA 0u
#define RMM_MIG_PAGE_ZERO 1u
/* Largest record: a DATA page (header + 16-byte entry + 4 KiB + tag). */
#define RMM_MIG_PAGE_RECORD (RMM_MIG_HDR_SIZE + 16u + 4096u + RMM_MIG_TAG_SIZE)
#define RMM_MIG_MAX_RECORD 8192u
#define RMM_MIG_LAYOUT_MAX 240u     /* entries per layout record */
#define RMM_MIG_BATCH_MAX 64u       /* pages per EXPORT_PAGES / records per IMPORT */

/* Realm migration states (docs/migration.md section 3). */
enum rmm_mig_state {
	RMM_MIG_NONE = 0,
	RMM_MIG_EXPORT_LIVE = 1,
	RMM_MIG_EXPORT_PAUSED = 2,
	RMM_MIG_EXPORT_DONE = 3,
	RMM_MIG_IMPORTING = 4,
	RMM_MIG_IMPORT_FAILED = 5,
};

/*
 * The trusted key-install call. It stands for an attested migration agent
 * (a service on the platform that has verified the peer platform and RMM
 * and agreed a key with the peer's agent); the host has no such call and
 * never sees the key. One key per (session, direction); a key may be
 * installed once and is consumed by the session start that names it.
 * RMM_OK, RMM_EINVAL (bad direction), RMM_ENOMEM (no free slot: 16 keys
 * wait at most), or RMM_EINVAL if (session, direction) was installed before.
 */
RMM_API int rmm_mig_key_install(struct rmm *rmm, uint64_t session, unsigned int dir,
				const uint8_t key[32]);

/* Nonce audit (instances created with RMM_CFG_MIG_AUDIT): the number of
 * GCM encryptions made and how many reused a (key, nonce) pair (both 0 on
 * other instances). */
#define RMM_CFG_MIG_AUDIT (1u << 8)
RMM_API void rmm_mig_audit(struct rmm *rmm, uint64_t *encryptions, uint64_t *reuses);

/* A realm's migration state (enum rmm_mig_state) and its dirty page count;
 * RMM_EINVAL if rd is not an RD. For hosts' loops and tests. */
RMM_API int rmm_mig_state(struct rmm *rmm, uint64_t rd, unsigned int *state, uint64_t *dirty);

/* Typed wrappers: registers in, rmm_smc(), X0 back; outputs may be NULL. */
RMM_API uint64_t rmm_mig_export_start(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t session,
				      uint64_t out, uint64_t *len);
RMM_API uint64_t rmm_mig_export_pages(struct rmm *r, unsigned cpu, uint64_t rd, unsigned stream,
				      uint64_t list, uint64_t count, uint64_t out,
				      uint64_t *done, uint64_t *len);
RMM_API uint64_t rmm_mig_export_layout(struct rmm *r, unsigned cpu, uint64_t rd, unsigned stream,
				       uint64_t ipa, uint64_t out, uint64_t *next, uint64_t *len);
RMM_API uint64_t rmm_mig_export_epoch(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t out,
				      uint64_t *len);
RMM_API uint64_t rmm_mig_export_pause(struct rmm *r, unsigned cpu, uint64_t rd);
RMM_API uint64_t rmm_mig_export_rec(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t rec,
				    unsigned stream, uint64_t out, uint64_t *len);
RMM_API uint64_t rmm_mig_export_end(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t out,
				    uint64_t *len);
RMM_API uint64_t rmm_mig_export_abort(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t token);
RMM_API uint64_t rmm_mig_export_dirty(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t ipa,
				      uint64_t list, uint64_t *n, uint64_t *next,
				      uint64_t *dirty);
RMM_API uint64_t rmm_mig_import_start(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t params,
				      uint64_t session, uint64_t in);
RMM_API uint64_t rmm_mig_import(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t in,
				uint64_t count, uint64_t grans, uint64_t *done,
				uint64_t *used, uint64_t *len, uint64_t *rtt_ipa);
RMM_API uint64_t rmm_mig_import_rec(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t rec,
				    uint64_t params, uint64_t in);
RMM_API uint64_t rmm_mig_import_commit(struct rmm *r, unsigned cpu, uint64_t rd);
RMM_API uint64_t rmm_mig_import_abort(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t out,
				      uint64_t *len);

#ifdef __cplusplus
}
#endif
#endif /* RMM_MIGRATE_H */
