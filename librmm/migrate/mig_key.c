/*
 * The instance's part of migration: key slots filled by the trusted
 * key-install call, the nonce counter, the per-CPU AES-GCM contexts, and the
 * (key, nonce) audit of RMM_CFG_MIG_AUDIT instances.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "migrate/mig.h"
#include "diag/trace.h"

#define MIG_SLOTS 64u
#define AUDIT_CAP (1u << 18)

enum { SLOT_FREE = 0, SLOT_READY, SLOT_TAKEN, SLOT_USED };

struct mig_slot {
	uint64_t session, age;
	uint8_t dir, state;
	uint8_t key[32];
};

struct mig_instance {
	_Atomic uint8_t lock;              /* slots, age */
	uint64_t age;
	struct mig_slot slots[MIG_SLOTS];
	struct mig_cpu *cpu;               /* one per CPU, owned by that CPU index */
	_Atomic uint8_t alock;             /* audit table */
	uint64_t (*audit)[3];
	_Atomic uint64_t nenc, reuses;  /* audit instances only */
	struct rmm_tbuf ktrace;            /* RMM_CFG_TRACE: key installs (slots lock) */
};

static void slots_lock(struct rmm *rmm, struct mig_instance *mi)
{
	while (atomic_exchange_explicit(&mi->lock, 1, memory_order_acquire))
		if (rmm->hal->relax)
			rmm->hal->relax(rmm->hal_h);
}

static void slots_unlock(struct mig_instance *mi)
{
	atomic_store_explicit(&mi->lock, 0, memory_order_release);
}

int mig_instance_init(struct rmm *rmm)
{
	struct mig_instance *mi = calloc(1, sizeof(*mi));

	if (!mi)
		return RMM_ENOMEM;
	mi->cpu = aligned_alloc(64, rmm->cfg.ncpus * sizeof(*mi->cpu));
	if (mi->cpu)
		memset(mi->cpu, 0, rmm->cfg.ncpus * sizeof(*mi->cpu));
	if (rmm->cfg.flags & RMM_CFG_MIG_AUDIT)
		mi->audit = calloc(AUDIT_CAP, sizeof(*mi->audit));
	if (!mi->cpu || ((rmm->cfg.flags & RMM_CFG_MIG_AUDIT) && !mi->audit)) {
		free(mi->cpu);
		free(mi->audit);
		free(mi);
		return RMM_ENOMEM;
	}
	rmm->mig = mi;
	atomic_store(&rmm->mig_nonce, rmm->hal->counter(rmm->hal_h));
	return RMM_OK;
}

void mig_instance_fini(struct rmm *rmm)
{
	struct mig_instance *mi = rmm->mig;

	if (!mi)
		return;
	for (unsigned int i = 0; i < rmm->cfg.ncpus; i++)
		EVP_CIPHER_CTX_free(mi->cpu[i].ctx);
	memset(mi->slots, 0, sizeof(mi->slots));
	if (mi->ktrace.data)
		memset(mi->ktrace.data, 0, mi->ktrace.cap);
	free(mi->ktrace.data);
	free(mi->cpu);
	free(mi->audit);
	free(mi);
	rmm->mig = NULL;
}

int rmm_mig_key_install(struct rmm *rmm, uint64_t session, unsigned int dir,
			const uint8_t key[32])
{
	struct mig_instance *mi = rmm ? rmm->mig : NULL;
	struct mig_slot *free_slot = NULL, *oldest = NULL;
	int rc = RMM_OK;

	if (!mi || !key || dir > RMM_MIG_BWD)
		return RMM_EINVAL;
	slots_lock(rmm, mi);
	for (unsigned int i = 0; i < MIG_SLOTS; i++) {
		struct mig_slot *s = &mi->slots[i];

		if (s->state == SLOT_FREE) {
			if (!free_slot)
				free_slot = s;
			continue;
		}
		if (s->session == session && s->dir == dir) {
			rc = RMM_EINVAL;   /* one-shot per (session, direction) */
			goto out;
		}
		if (s->state == SLOT_USED && (!oldest || s->age < oldest->age))
			oldest = s;
	}
	if (!free_slot)
		free_slot = oldest;  /* forget the oldest consumed session */
	if (!free_slot) {
		rc = RMM_ENOMEM;
		goto out;
	}
	free_slot->session = session;
	free_slot->dir = (uint8_t)dir;
	free_slot->state = SLOT_READY;
	free_slot->age = ++mi->age;
	memcpy(free_slot->key, key, 32);
out:
	if (rmm->cfg.flags & RMM_CFG_TRACE)
		trace_key(rmm, &mi->ktrace, session, dir, key, rc);
	slots_unlock(mi);
	return rc;
}

struct rmm_tbuf *mig_trace_buf(struct rmm *rmm)
{
	return rmm->mig ? &rmm->mig->ktrace : NULL;
}

static struct mig_slot *slot_find(struct mig_instance *mi, uint64_t session, unsigned int dir)
{
	for (unsigned int i = 0; i < MIG_SLOTS; i++)
		if (mi->slots[i].state != SLOT_FREE && mi->slots[i].session == session &&
		    mi->slots[i].dir == dir)
			return &mi->slots[i];
	return NULL;
}

int mig_key_take(struct rmm *rmm, uint64_t session, unsigned int dir, uint8_t key[32],
		 uint64_t *kid)
{
	struct mig_instance *mi = rmm->mig;
	struct mig_slot *s;
	int rc = -1;

	slots_lock(rmm, mi);
	s = slot_find(mi, session, dir);
	if (s && s->state == SLOT_READY) {
		memcpy(key, s->key, 32);
		s->state = SLOT_TAKEN;
		*kid = atomic_fetch_add(&rmm->mig_kid, 1) + 1;
		rc = 0;
	}
	slots_unlock(mi);
	return rc;
}

void mig_key_untake(struct rmm *rmm, uint64_t session, unsigned int dir)
{
	struct mig_instance *mi = rmm->mig;
	struct mig_slot *s;

	slots_lock(rmm, mi);
	s = slot_find(mi, session, dir);
	if (s && s->state == SLOT_TAKEN)
		s->state = SLOT_READY;
	slots_unlock(mi);
}

/* The session started: its keys are gone for good (tombstones remain). */
void mig_key_commit(struct rmm *rmm, uint64_t session)
{
	struct mig_instance *mi = rmm->mig;

	slots_lock(rmm, mi);
	for (unsigned int i = 0; i < MIG_SLOTS; i++) {
		struct mig_slot *s = &mi->slots[i];

		if (s->state == SLOT_TAKEN && s->session == session) {
			s->state = SLOT_USED;
			memset(s->key, 0, sizeof(s->key));
		}
	}
	slots_unlock(mi);
}

struct mig_cpu *mig_cpu_of(struct rmm *rmm, unsigned int cpu)
{
	return &rmm->mig->cpu[cpu];
}

/* Audit: remember (key fingerprint, IV); count a pair seen before. */
void mig_audit_use(struct rmm *rmm, const uint8_t key[32], const uint8_t iv[12])
{
	struct mig_instance *mi = rmm->mig;
	uint8_t fp[32];
	uint64_t k[3] = { 0, 0, 0 }, h;

	if (!mi->audit)
		return;
	atomic_fetch_add(&mi->nenc, 1);
	SHA256(key, 32, fp);
	memcpy(&k[0], fp, 8);
	memcpy(&k[1], iv, 8);
	memcpy(&k[2], iv + 8, 4);
	k[2] |= 1ull << 63;                /* never all-zero: 0 marks a free entry */
	h = (k[0] ^ (k[1] * 0x9e3779b97f4a7c15ull) ^ (k[2] << 17)) % AUDIT_CAP;
	while (atomic_exchange_explicit(&mi->alock, 1, memory_order_acquire))
		;
	for (uint64_t n = 0; n < AUDIT_CAP; n++, h = (h + 1) % AUDIT_CAP) {
		uint64_t *e = mi->audit[h];

		if (e[2] == 0) {
			memcpy(e, k, sizeof(k));
			break;
		}
		if (!memcmp(e, k, sizeof(k))) {
			atomic_fetch_add(&mi->reuses, 1);
			rmm_log(rmm, RMM_LOG_ERROR, "migration: a (key, nonce) pair was used twice");
			break;
		}
	}
	atomic_store_explicit(&mi->alock, 0, memory_order_release);
}

uint64_t mig_nonce_next(struct rmm *rmm, unsigned int cpu)
{
	struct mig_cpu *pc = &rmm->mig->cpu[cpu];

	if (pc->nonce == pc->nonce_end) {
		pc->nonce = atomic_fetch_add(&rmm->mig_nonce, MIG_NONCE_BLOCK) + 1;
		pc->nonce_end = pc->nonce + MIG_NONCE_BLOCK;
	}
	return pc->nonce++;
}

void rmm_mig_audit(struct rmm *rmm, uint64_t *encryptions, uint64_t *reuses)
{
	if (encryptions)
		*encryptions = rmm && rmm->mig ? atomic_load(&rmm->mig->nenc) : 0;
	if (reuses)
		*reuses = rmm && rmm->mig ? atomic_load(&rmm->mig->reuses) : 0;
}
