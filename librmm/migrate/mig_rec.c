/*
 * A REC's complete state as a table of fields (docs/migration.md, REC
 * record). Adding a field to struct rec or struct rmm_vcpu_regs is one line
 * here; the build fails until it is added (or listed as not migrated).
 */
#include <stddef.h>
#include <string.h>

#include "migrate/mig.h"
#include "rec/rec.h"

/* Every field of struct rmm_vcpu_regs travels. */
#define REGS_FIELDS(X)                                                              \
	X(x) X(pc) X(pstate) X(sp_el0) X(sp_el1)                                    \
	X(sctlr_el1) X(ttbr0_el1) X(ttbr1_el1) X(tcr_el1) X(mair_el1) X(amair_el1) \
	X(vbar_el1) X(esr_el1) X(far_el1) X(elr_el1) X(spsr_el1) X(par_el1)       \
	X(contextidr_el1) X(tpidr_el0) X(tpidrro_el0) X(tpidr_el1) X(cpacr_el1)   \
	X(cntkctl_el1) X(afsr0_el1) X(afsr1_el1) X(mdscr_el1) X(csselr_el1)        \
	X(actlr_el1)                                                                \
	X(cntv_ctl) X(cntv_cval) X(cntp_ctl) X(cntp_cval)                           \
	X(fpcr) X(fpsr) X(v)

/* The architectural and pending-request fields of struct rec. */
#define REC_FIELDS(X)                                                               \
	X(mpidr) X(runnable) X(psci_pending) X(host_call_pending) X(last_exit)      \
	X(last_exit_psci) X(emulatable_abort) X(unprot_abort) X(mmio_srt)           \
	X(mmio_sas) X(mmio_sse) X(mmio_sf) X(mmio_write) X(ripas_value)             \
	X(ripas_destroyed) X(abort_esr) X(abort_far) X(host_call_ipa) X(ripas_addr) \
	X(ripas_top) X(gic_hcr) X(gic_lrs) X(gic_vmcr) X(gic_ap0r) X(gic_ap1r)

/* Fields of struct rec that are the RMM's bookkeeping on this machine.
 * attest_state: an attestation token in progress lives in aux[0], which does
 * not travel; the destination REC starts with none in progress (the realm's
 * next RSI_ATTESTATION_TOKEN_CONTINUE fails and it starts over with INIT). */
#define REC_LOCAL(X) X(owner) X(index) X(num_aux) X(aux) X(mig_exported) X(pad) X(regs) \
	X(attest_state)

#define RSZ(f) + sizeof(((struct rmm_vcpu_regs *)0)->f)
#define CSZ(f) + sizeof(((struct rec *)0)->f)
_Static_assert(0 REGS_FIELDS(RSZ) == sizeof(struct rmm_vcpu_regs),
	       "a field of struct rmm_vcpu_regs is missing from REGS_FIELDS in mig_rec.c");
_Static_assert(0 REC_FIELDS(CSZ) REC_LOCAL(CSZ) == sizeof(struct rec),
	       "a field of struct rec is missing from REC_FIELDS (or REC_LOCAL) in mig_rec.c");

struct rec_field {
	const char *name;
	uint16_t off, size;
};

#define RROW(f) { #f, (uint16_t)offsetof(struct rec, regs.f), \
		  (uint16_t)sizeof(((struct rmm_vcpu_regs *)0)->f) },
#define CROW(f) { #f, (uint16_t)offsetof(struct rec, f), (uint16_t)sizeof(((struct rec *)0)->f) },
static const struct rec_field fields[] = { REC_FIELDS(CROW) REGS_FIELDS(RROW) };
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

unsigned int mig_rec_nfields(void)
{
	return NFIELDS;
}

size_t mig_rec_state_size(void)
{
	size_t n = 0;

	for (unsigned int i = 0; i < NFIELDS; i++)
		n += 4u + fields[i].size;
	return n;
}

size_t mig_rec_pack(const struct rec *rec, uint8_t *out)
{
	const uint8_t *base = (const uint8_t *)rec;
	size_t n = 0;

	for (unsigned int i = 0; i < NFIELDS; i++) {
		out[n] = (uint8_t)(i + 1);
		out[n + 1] = (uint8_t)((i + 1) >> 8);
		out[n + 2] = (uint8_t)fields[i].size;
		out[n + 3] = (uint8_t)(fields[i].size >> 8);
		memcpy(out + n + 4, base + fields[i].off, fields[i].size);
		n += 4u + fields[i].size;
	}
	return n;
}

unsigned int mig_rec_unpack(struct rec *rec, const uint8_t *in, size_t len)
{
	struct rec tmp = *rec;
	uint8_t *base = (uint8_t *)&tmp;
	size_t n = 0;

	for (unsigned int i = 0; i < NFIELDS; i++) {
		unsigned int id = in[n] | in[n + 1] << 8, size = in[n + 2] | in[n + 3] << 8;

		if (n + 4 + fields[i].size > len || id != i + 1 || size != fields[i].size)
			return RMI_MIG_FORMAT;
		memcpy(base + fields[i].off, in + n + 4, size);
		n += 4u + size;
	}
	if (n != len || tmp.mmio_srt > 31 || tmp.mmio_sas > 3 || tmp.runnable > 1 ||
	    tmp.ripas_value > RMI_RAM)
		return RMI_MIG_FORMAT;
	*rec = tmp;
	return 0;
}
