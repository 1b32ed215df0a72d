/*
 * kvm_migrate: the migration loop a VMM writes on top of librmm's migration
 * extension (docs/migration.md): the source exports while the realm runs,
 * round after round until the dirty set is small, pauses, sends the rest,
 * its RECs and the end record; the destination imports every record,
 * creating RTTs on (ERROR_RTT, level) and delegating granules on demand,
 * and commits. Records reach the other side through an emit callback (a
 * socket, a queue, a test's list).
 *
 * Every function returns 0, or -1 after printing the RMM's reason (unless
 * the host is quiet); km_last_status() gives the refusing status.
 */
#ifndef KVM_MIGRATE_H
#define KVM_MIGRATE_H

#include <rmm/migrate.h>
#include "kvm_host.h"

typedef int (*km_emit_fn)(void *ctx, unsigned int stream, const void *rec, size_t len);

struct km_src {
	struct kvm_host *h;
	struct kvm_realm *r;
	uint64_t out, list;        /* NS buffers: records (64 pages of them), an IPA list */
	km_emit_fn emit;
	void *ctx;
	uint64_t status;           /* last refusing RMI status */
	unsigned long records, pages, bytes, dups;
};

int km_src_init(struct km_src *s, struct kvm_host *h, struct kvm_realm *r, km_emit_fn emit,
		void *ctx);
int km_export_start(struct km_src *s, uint64_t session);
int km_export_layout(struct km_src *s);
/* Export the given pages on 'stream' (unfolding blocks as needed). */
int km_export_pages(struct km_src *s, unsigned int stream, const uint64_t *ipas, size_t n);
/* The same, the records written one after another from NS address 'at'
 * (room for n page records), no emitter: a VMM exporting straight into its
 * send buffer. *len: bytes written. */
int km_export_pages_at(struct km_src *s, unsigned int stream, const uint64_t *ipas, size_t n,
		       uint64_t at, uint64_t *len);
/* One round: every page DIRTY lists, in batches, on 'stream'. *sent: pages. */
int km_export_round(struct km_src *s, unsigned int stream, unsigned long *sent);
int km_export_epoch(struct km_src *s);
int km_export_pause(struct km_src *s);
int km_export_recs(struct km_src *s, const struct kvm_vcpu *v, unsigned int n);
int km_export_end(struct km_src *s);
/* The dirty page count now. */
uint64_t km_dirty(struct km_src *s);
/* The whole source loop: start, layout, rounds until at most 'threshold'
 * pages are dirty (or max_rounds), pause, final round, RECs, end. */
int km_export_all(struct km_src *s, uint64_t session, const struct kvm_vcpu *v, unsigned int n,
		  unsigned int max_rounds, uint64_t threshold, unsigned int *rounds);

#define KM_MAX_VCPUS 16
struct km_dst {
	struct kvm_host *h;
	struct kvm_realm r;
	uint64_t in, grans, spare;
	struct kvm_vcpu vcpus[KM_MAX_VCPUS];
	unsigned int nvcpu;
	uint64_t status;
	unsigned long records, rtts;
	uint64_t *pool;            /* granules delegated ahead (km_import_reserve) */
	size_t npool;
};

/* IMPORT_START from the immutable record: the host knows the realm's IPA
 * width (its VMM configuration travels beside the records). */
int km_import_start(struct km_dst *d, struct kvm_host *h, unsigned int ipa_bits, uint16_t vmid,
		    uint64_t session, const void *rec, size_t len);
int km_import_record(struct km_dst *d, const void *rec, size_t len);
/* Records already in the destination's NS memory at [pa, pa + len) (where
 * the VMM received them), imported up to 64 per call with granules from the
 * pool (delegating more when it runs short); REC records through
 * IMPORT_REC. */
int km_import_batch(struct km_dst *d, uint64_t pa, size_t len);
/* Delegate n granules ahead of the pages, as a VMM that prepares memory
 * before the stream arrives; unused ones are undelegated by commit. */
int km_import_reserve(struct km_dst *d, size_t n);
int km_import_commit(struct km_dst *d);
/* A record's type and total length from its header (0 if malformed). */
unsigned int km_record_type(const void *rec);
size_t km_record_len(const void *rec, size_t avail);

#endif
