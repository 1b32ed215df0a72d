#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm_host.h"

#define GRAN 4096ull

static uint64_t lsize(int level)
{
	return 1ull << (12 + 9 * (3 - level));
}

static int fail(struct kvm_host *h, const char *what, uint64_t ret)
{
	if (!h->quiet)
		fprintf(stderr, "kvm_host: %s failed: status %u index %u: %s\n", what,
			RMI_RETURN_STATUS(ret), RMI_RETURN_INDEX(ret), rmm_last_reason(h->rmm, h->cpu));
	return -1;
}

int kh_init(struct kvm_host *h, struct rmm *rmm, uint64_t base, uint64_t size)
{
	memset(h, 0, sizeof(*h));
	h->rmm = rmm;
	h->base = h->next = base;
	h->end = base + size;
	return 0;
}

void kh_fini(struct kvm_host *h)
{
	free(h->free);
	h->free = NULL;
}

uint64_t kh_alloc(struct kvm_host *h)
{
	uint64_t pa;

	if (h->nfree)
		pa = h->free[--h->nfree];
	else if (h->next < h->end)
		pa = (h->next += GRAN) - GRAN;
	else
		return 0;
	memset(rmm_ns_ptr(h->rmm, pa), 0, GRAN);
	return pa;
}

void kh_free(struct kvm_host *h, uint64_t pa)
{
	if (h->nfree == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 1024;
		uint64_t *n = realloc(h->free, cap * sizeof(*n));

		if (!n)
			return; /* leak the page rather than crash */
		h->free = n;
		h->cap = cap;
	}
	h->free[h->nfree++] = pa;
}

uint64_t kh_alloc_delegated(struct kvm_host *h)
{
	uint64_t pa = kh_alloc(h), ret;

	if (!pa)
		return 0;
	ret = rmm_rmi_granule_delegate(h->rmm, h->cpu, pa);
	if (ret != RMI_SUCCESS) {
		fail(h, "GRANULE_DELEGATE", ret);
		return 0;
	}
	h->delegated++;
	return pa;
}

int kh_undelegate_free(struct kvm_host *h, uint64_t pa)
{
	uint64_t ret = rmm_rmi_granule_undelegate(h->rmm, h->cpu, pa);

	if (ret != RMI_SUCCESS)
		return fail(h, "GRANULE_UNDELEGATE", ret);
	h->delegated--;
	kh_free(h, pa);
	return 0;
}

int kh_realm_create(struct kvm_host *h, struct kvm_realm *r, unsigned int ipa_bits,
		    unsigned int hash_algo, uint16_t vmid)
{
	struct rmi_realm_params *p;
	unsigned int bits, i;
	uint64_t ret, feat;

	memset(r, 0, sizeof(*r));
	ret = rmm_rmi_version(h->rmm, h->cpu, RMI_ABI_VERSION_1_0, NULL, NULL);
	if (ret != RMI_SUCCESS)
		return fail(h, "VERSION", ret);
	rmm_rmi_features(h->rmm, h->cpu, 0, &feat);
	r->ipa_bits = ipa_bits;
	r->sl = 4 - (int)((ipa_bits - 8) / 9);
	bits = (unsigned int)(4 - r->sl) * 9 + 12;
	r->num_start = bits >= ipa_bits ? 1 : 1u << (ipa_bits - bits);

	r->rd = kh_alloc_delegated(h);
	/* the starting RTTs are contiguous and aligned to their number */
	while (h->next % (r->num_start * GRAN))
		kh_free(h, (h->next += GRAN) - GRAN);
	r->rtt_base = h->next;
	h->next += r->num_start * GRAN;
	if (!r->rd || h->next > h->end)
		return -1;
	for (i = 0; i < r->num_start; i++) {
		ret = rmm_rmi_granule_delegate(h->rmm, h->cpu, r->rtt_base + i * GRAN);
		if (ret != RMI_SUCCESS)
			return fail(h, "GRANULE_DELEGATE(rtt)", ret);
		h->delegated++;
	}
	r->params = kh_alloc(h);
	p = rmm_ns_ptr(h->rmm, r->params);
	p->s2sz = (uint8_t)ipa_bits;
	p->num_bps = (uint8_t)RMI_FEAT0_NUM_BPS(feat);
	p->num_wps = (uint8_t)RMI_FEAT0_NUM_WPS(feat);
	p->hash_algo = (uint8_t)hash_algo;
	p->vmid = vmid;
	p->rtt_base = r->rtt_base;
	p->rtt_level_start = r->sl;
	p->rtt_num_start = r->num_start;
	for (i = 0; i < 64; i++)
		p->rpv[i] = (uint8_t)(0xa0 + i);
	ret = rmm_rmi_realm_create(h->rmm, h->cpu, r->rd, r->params);
	if (ret != RMI_SUCCESS)
		return fail(h, "REALM_CREATE", ret);
	ret = rmm_rmi_rec_aux_count(h->rmm, h->cpu, r->rd, &r->aux_count);
	if (ret != RMI_SUCCESS)
		return fail(h, "REC_AUX_COUNT", ret);
	return 0;
}

int kh_create_rtt_levels(struct kvm_host *h, struct kvm_realm *r, uint64_t ipa, int from, int to)
{
	for (int level = from + 1; level <= to; level++) {
		uint64_t rtt = kh_alloc_delegated(h), ret;

		if (!rtt)
			return -1;
		ret = rmm_rmi_rtt_create(h->rmm, h->cpu, r->rd, rtt, ipa & ~(lsize(level - 1) - 1),
					 level);
		if (ret == RMI_RETURN(RMI_ERROR_RTT, level - 1)) {
			/* another vCPU created it first: benign */
			if (kh_undelegate_free(h, rtt))
				return -1;
			continue;
		}
		if (ret != RMI_SUCCESS)
			return fail(h, "RTT_CREATE", ret);
	}
	return 0;
}

/* find_map_level: the largest block level that fits [ipa, end). */
static int find_map_level(struct kvm_realm *r, uint64_t ipa, uint64_t end)
{
	int level = 3;

	while (level > 2 && level > r->sl + 1) {
		uint64_t sz = lsize(level - 1);

		if ((ipa & (sz - 1)) || end - ipa < sz)
			break;
		level--;
	}
	return level;
}

int kh_init_ripas(struct kvm_host *h, struct kvm_realm *r, uint64_t base, uint64_t size)
{
	uint64_t ipa = base, end = base + size;

	while (ipa < end) {
		uint64_t next = 0, ret = rmm_rmi_rtt_init_ripas(h->rmm, h->cpu, r->rd, ipa, end, &next);

		if (RMI_RETURN_STATUS(ret) == RMI_ERROR_RTT) {
			int err_level = (int)RMI_RETURN_INDEX(ret);
			int level = find_map_level(r, ipa, end);

			if (err_level >= level)
				return fail(h, "RTT_INIT_RIPAS", ret);
			if (kh_create_rtt_levels(h, r, ipa, err_level, level))
				return -1;
			continue;
		}
		if (ret != RMI_SUCCESS)
			return fail(h, "RTT_INIT_RIPAS", ret);
		ipa = next;
	}
	return 0;
}

int kh_populate(struct kvm_host *h, struct kvm_realm *r, uint64_t ipa, const void *img,
		size_t size, int measure)
{
	uint64_t src = kh_alloc(h);

	if (!src)
		return -1;
	for (size_t off = 0; off < size; off += GRAN) {
		uint64_t dst = kh_alloc_delegated(h), ret;
		size_t n = size - off < GRAN ? size - off : GRAN;

		if (!dst)
			return -1;
		memset(rmm_ns_ptr(h->rmm, src), 0, GRAN);
		memcpy(rmm_ns_ptr(h->rmm, src), (const uint8_t *)img + off, n);
		for (;;) {
			ret = rmm_rmi_data_create(h->rmm, h->cpu, r->rd, dst, ipa + off, src,
						  measure ? RMI_MEASURE_CONTENT : 0);
			if (RMI_RETURN_STATUS(ret) != RMI_ERROR_RTT || RMI_RETURN_INDEX(ret) >= 3)
				break;
			if (kh_create_rtt_levels(h, r, ipa + off, (int)RMI_RETURN_INDEX(ret), 3))
				return -1;
		}
		if (ret != RMI_SUCCESS)
			return fail(h, "DATA_CREATE", ret);
	}
	kh_free(h, src);
	return 0;
}

int kh_activate(struct kvm_host *h, struct kvm_realm *r)
{
	uint64_t ret = rmm_rmi_realm_activate(h->rmm, h->cpu, r->rd);

	return ret == RMI_SUCCESS ? 0 : fail(h, "REALM_ACTIVATE", ret);
}

int kh_unmap_private(struct kvm_host *h, struct kvm_realm *r, uint64_t base, uint64_t size)
{
	uint64_t ipa = base, end = base + size;

	while (ipa < end) {
		uint64_t data = 0, top = 0;
		uint64_t ret = rmm_rmi_data_destroy(h->rmm, h->cpu, r->rd, ipa, &data, &top);

		if (ret == RMI_SUCCESS) {
			if (kh_undelegate_free(h, data))
				return -1;
		} else if (RMI_RETURN_STATUS(ret) == RMI_ERROR_RTT && top == ipa &&
			   RMI_RETURN_INDEX(ret) < 3) {
			/* inside a block: unfold it with an RTT one level down */
			if (kh_create_rtt_levels(h, r, ipa, (int)RMI_RETURN_INDEX(ret),
						 (int)RMI_RETURN_INDEX(ret) + 1))
				return -1;
			continue;
		} else if (RMI_RETURN_STATUS(ret) != RMI_ERROR_RTT) {
			return fail(h, "DATA_DESTROY", ret);
		}
		ipa = top > ipa ? top : ipa + GRAN;
	}
	return 0;
}

int kh_map_shared(struct kvm_host *h, struct kvm_realm *r, uint64_t ipa, uint64_t pa)
{
	uint64_t desc = pa | (5ull << 2) /* MemAttr: normal WB (FWB) */ | (3ull << 6) /* RW */;

	for (;;) {
		uint64_t ret = rmm_rmi_rtt_map_unprotected(h->rmm, h->cpu, r->rd, ipa, 3, desc);

		if (ret == RMI_SUCCESS)
			return 0;
		if (RMI_RETURN_STATUS(ret) != RMI_ERROR_RTT || RMI_RETURN_INDEX(ret) >= 3)
			return fail(h, "RTT_MAP_UNPROTECTED", ret);
		if (kh_create_rtt_levels(h, r, ipa, (int)RMI_RETURN_INDEX(ret), 3))
			return -1;
	}
}

int kh_unmap_shared(struct kvm_host *h, struct kvm_realm *r, uint64_t base, uint64_t size)
{
	uint64_t ipa = base, end = base + size;
	int level = 3;

	while (ipa < end) {
		uint64_t top = 0;
		uint64_t ret = rmm_rmi_rtt_unmap_unprotected(h->rmm, h->cpu, r->rd, ipa, level, &top);

		if (RMI_RETURN_STATUS(ret) == RMI_ERROR_RTT && top == ipa &&
		    (int)RMI_RETURN_INDEX(ret) < level) {
			level = (int)RMI_RETURN_INDEX(ret);  /* mapped by a bigger block */
			ipa &= ~(lsize(level) - 1);
			continue;
		}
		if (ret != RMI_SUCCESS && RMI_RETURN_STATUS(ret) != RMI_ERROR_RTT)
			return fail(h, "RTT_UNMAP_UNPROTECTED", ret);
		ipa = top > ipa ? top : ipa + lsize(level);
		level = 3;
	}
	return 0;
}

int kh_fold_range(struct kvm_host *h, struct kvm_realm *r, uint64_t base, uint64_t size)
{
	for (int level = 3; level > r->sl + 1; level--) {
		uint64_t sz = lsize(level - 1);

		for (uint64_t ipa = base & ~(sz - 1); ipa < base + size; ipa += sz) {
			uint64_t rtt, ret = rmm_rmi_rtt_fold(h->rmm, h->cpu, r->rd, ipa, level, &rtt);

			if (ret == RMI_SUCCESS) {
				if (kh_undelegate_free(h, rtt))
					return -1;
			} else if (RMI_RETURN_STATUS(ret) != RMI_ERROR_RTT) {
				return fail(h, "RTT_FOLD", ret);
			}
		}
	}
	return 0;
}

/* realm_tear_down_rtt_level: destroy RTTs at 'level' in [start, end). */
static int destroy_rtts(struct kvm_host *h, struct kvm_realm *r, int level, uint64_t start,
			uint64_t end)
{
	uint64_t sz = lsize(level - 1), ipa = start;

	while (ipa < end) {
		uint64_t rtt = 0, top = 0, next;
		uint64_t ret = rmm_rmi_rtt_destroy(h->rmm, h->cpu, r->rd, ipa, level, &rtt, &top);

		if (ret == RMI_RETURN(RMI_ERROR_RTT, level)) {
			if (level == 3)
				return fail(h, "RTT_DESTROY (level 3 still live)", ret);
			if (destroy_rtts(h, r, level + 1, ipa, ipa + sz))
				return -1;
			continue;
		}
		if (ret == RMI_SUCCESS) {
			if (kh_undelegate_free(h, rtt))
				return -1;
		} else if (RMI_RETURN_STATUS(ret) != RMI_ERROR_RTT) {
			return fail(h, "RTT_DESTROY", ret);
		}
		next = ipa + sz;
		if (top > next)
			next = (top + sz - 1) & ~(sz - 1);
		ipa = next;
	}
	return 0;
}

int kh_realm_destroy(struct kvm_host *h, struct kvm_realm *r)
{
	uint64_t half = 1ull << (r->ipa_bits - 1), ret;

	if (kh_unmap_private(h, r, 0, half) || kh_unmap_shared(h, r, half, half))
		return -1;
	if (r->sl < 3 && destroy_rtts(h, r, r->sl + 1, 0, 2 * half))
		return -1;
	ret = rmm_rmi_realm_destroy(h->rmm, h->cpu, r->rd);
	if (ret != RMI_SUCCESS)
		return fail(h, "REALM_DESTROY", ret);
	if (kh_undelegate_free(h, r->rd))
		return -1;
	for (unsigned int i = 0; i < r->num_start; i++)
		if (kh_undelegate_free(h, r->rtt_base + i * GRAN))
			return -1;
	kh_free(h, r->params);
	return 0;
}

int kh_vcpu_create(struct kvm_host *h, struct kvm_realm *r, struct kvm_vcpu *v, unsigned int idx,
		   int runnable, uint64_t pc)
{
	return kh_vcpu_create_gprs(h, r, v, idx, runnable, pc, NULL);
}

int kh_vcpu_create_gprs(struct kvm_host *h, struct kvm_realm *r, struct kvm_vcpu *v,
			unsigned int idx, int runnable, uint64_t pc, const uint64_t gprs[8])
{
	struct rmi_rec_params *p;
	uint64_t ret;

	memset(v, 0, sizeof(*v));
	v->idx = idx;
	v->params = kh_alloc(h);
	v->run = kh_alloc(h);
	v->rec = kh_alloc_delegated(h);
	if (!v->params || !v->run || !v->rec)
		return -1;
	p = rmm_ns_ptr(h->rmm, v->params);
	p->flags = runnable ? RMI_REC_FLAG_RUNNABLE : 0;
	p->mpidr = rmi_rec_mpidr(idx);
	p->pc = pc;
	for (int i = 0; gprs && i < 8; i++)
		p->gprs[i] = gprs[i];
	p->num_aux = r->aux_count;
	for (uint64_t i = 0; i < r->aux_count; i++)
		if (!(p->aux[i] = v->aux[i] = kh_alloc_delegated(h)))
			return -1;
	ret = rmm_rmi_rec_create(h->rmm, h->cpu, r->rd, v->rec, v->params);
	return ret == RMI_SUCCESS ? 0 : fail(h, "REC_CREATE", ret);
}

int kh_vcpu_destroy(struct kvm_host *h, struct kvm_vcpu *v)
{
	uint64_t ret = rmm_rmi_rec_destroy(h->rmm, h->cpu, v->rec);

	if (ret != RMI_SUCCESS)
		return fail(h, "REC_DESTROY", ret);
	for (int i = 0; i < 16; i++)
		if (v->aux[i] && kh_undelegate_free(h, v->aux[i]))
			return -1;
	if (kh_undelegate_free(h, v->rec))
		return -1;
	kh_free(h, v->params);
	kh_free(h, v->run);
	return 0;
}

/* kvm_handle_guest_abort for a protected IPA: fault in a private page. */
int kh_fault_in(struct kvm_host *h, struct kvm_realm *r, uint64_t ipa)
{
	uint64_t page = kh_alloc_delegated(h), ret;

	if (!page)
		return -1;
	for (;;) {
		ret = rmm_rmi_data_create_unknown(h->rmm, h->cpu, r->rd, page, ipa & ~(GRAN - 1));
		if (RMI_RETURN_STATUS(ret) != RMI_ERROR_RTT || RMI_RETURN_INDEX(ret) >= 3)
			break;
		if (kh_create_rtt_levels(h, r, ipa, (int)RMI_RETURN_INDEX(ret), 3))
			return -1;
	}
	if (ret == RMI_RETURN(RMI_ERROR_RTT, 3))  /* already mapped: a race */
		return kh_undelegate_free(h, page);
	return ret == RMI_SUCCESS ? 0 : fail(h, "DATA_CREATE_UNKNOWN", ret);
}

/* The RIPAS change the realm asked for, applied before the next entry. */
static int apply_ripas(struct kvm_host *h, struct kvm_realm *r, struct kvm_vcpu *v,
		       uint64_t base, uint64_t top, unsigned int ripas)
{
	uint64_t ipa = base;

	while (ipa < top) {
		uint64_t next = 0;
		uint64_t ret = rmm_rmi_rtt_set_ripas(h->rmm, h->cpu, r->rd, v->rec, ipa, top, &next);

		if (RMI_RETURN_STATUS(ret) == RMI_ERROR_RTT && RMI_RETURN_INDEX(ret) < 3) {
			if (kh_create_rtt_levels(h, r, ipa, (int)RMI_RETURN_INDEX(ret), 3))
				return -1;
			continue;
		}
		if (ret != RMI_SUCCESS)
			return fail(h, "RTT_SET_RIPAS", ret);
		ipa = next;
	}
	if (ripas == RMI_EMPTY)
		return kh_unmap_private(h, r, base, top - base);
	return 0;
}

static struct kvm_vcpu *vcpu_by_mpidr(struct kvm_vcpu *vcpus, unsigned int n, uint64_t mpidr)
{
	for (unsigned int i = 0; i < n; i++)
		if (rmi_rec_mpidr(vcpus[i].idx) == mpidr)
			return &vcpus[i];
	return NULL;
}

/* The host's virtual GIC, as KVM keeps it: the list registers the realm
 * left are entered again, and an asserted virtual timer (the exit's
 * CNTV_CTL shows ENABLE, ISTATUS and no IMASK) is injected as PPI 27 in a
 * free list register unless one already holds it. */
void kh_vgic_prepare(struct rmi_rec_run *run)
{
	int free_lr = -1;

	memcpy(run->enter.gicv3_lrs, run->exit.gicv3_lrs, sizeof(run->enter.gicv3_lrs));
	if ((run->exit.cntv_ctl & 7) != 5)
		return;
	for (int i = 0; i < RMI_GIC_NUM_LRS; i++) {
		uint64_t lr = run->enter.gicv3_lrs[i];

		if ((lr >> 62) && (lr & 0xffffffffull) == KH_PPI_VTIMER)
			return;
		if (!(lr >> 62) && free_lr < 0)
			free_lr = i;
	}
	if (free_lr >= 0)
		run->enter.gicv3_lrs[free_lr] = (1ull << 62) | (1ull << 60) | (0xa0ull << 48) |
						 KH_PPI_VTIMER;
}

enum kh_run_result kh_vcpu_run(struct kvm_host *h, struct kvm_realm *r, struct kvm_vcpu *vcpus,
			       unsigned int n, unsigned int i, struct kvm_mmio *dev,
			       struct kvm_run_stats *st, unsigned int max_entries)
{
	struct kvm_vcpu *v = &vcpus[i];
	struct rmi_rec_run *run = rmm_ns_ptr(h->rmm, v->run);
	uint64_t half = 1ull << (r->ipa_bits - 1);

	run->enter.flags = 0;
	for (unsigned int e = 0; e < max_entries; e++) {
		uint64_t ret, ec, ipa, flags = 0;

		kh_vgic_prepare(run);
		ret = rmm_rmi_rec_enter(h->rmm, h->cpu, v->rec, v->run);
		st->entries++;
		if (ret == RMI_RETURN(RMI_ERROR_REALM, 1))
			return KH_RUN_SYSTEM_OFF;
		if (ret == RMI_RETURN(RMI_ERROR_REC, 0) && strstr(rmm_last_reason(h->rmm, h->cpu), "runnable"))
			return KH_RUN_NOT_RUNNABLE;
		if (ret != RMI_SUCCESS) {
			fail(h, "REC_ENTER", ret);
			return KH_RUN_ERROR;
		}
		switch (run->exit.exit_reason) {
		case RMI_EXIT_IRQ:
		case RMI_EXIT_FIQ:
			st->irq++;
			break;
		case RMI_EXIT_SYNC:
			ec = run->exit.esr >> 26;
			if (ec == 0x01) {
				st->wfx++;
				break;
			}
			if (ec == 0x18) {
				st->sysreg++;
				break;
			}
			if (ec != 0x24 && ec != 0x20) {
				fprintf(stderr, "kvm_host: unexpected exit esr 0x%llx\n",
					(unsigned long long)run->exit.esr);
				return KH_RUN_ERROR;
			}
			ipa = ((run->exit.hpfar & 0x00000ffffffffff0ull) << 8) | (run->exit.far & 0xfff);
			if (ipa < half) {
				if (kh_fault_in(h, r, ipa))
					return KH_RUN_ERROR;
				st->faults_in++;
			} else if (dev && (run->exit.esr & (1ull << 24)) &&
				   (ipa & ~(GRAN - 1)) == dev->ipa) {
				unsigned int sas = (unsigned int)((run->exit.esr >> 22) & 3);
				uint64_t *reg = &dev->regs[(ipa & (GRAN - 1)) / 8];

				if (run->exit.esr & (1ull << 6)) {
					*reg = run->exit.gprs[0];
					dev->writes++;
					if ((ipa & (GRAN - 1)) == 0 && dev->ntx + 1 < sizeof(dev->tx))
						dev->tx[dev->ntx++] = (char)run->exit.gprs[0];
				} else {
					run->enter.gprs[0] = sas == 3 ? *reg : *reg & ((1ull << (8u << sas)) - 1);
					dev->reads++;
				}
				flags |= RMI_ENTER_EMUL_MMIO;
				st->mmio++;
			} else {
				/* no device there: the realm gets an SEA */
				flags |= RMI_ENTER_INJECT_SEA;
			}
			break;
		case RMI_EXIT_PSCI: {
			uint64_t fid = run->exit.gprs[0];
			struct kvm_vcpu *t;

			st->psci++;
			if (fid == 0x84000002ull)
				return KH_RUN_CPU_OFF;
			if (fid == 0x84000008ull || fid == 0x84000009ull)
				return KH_RUN_SYSTEM_OFF;
			if ((fid & 0xffff) == 3 || (fid & 0xffff) == 4) {  /* CPU_ON, AFFINITY_INFO */
				t = vcpu_by_mpidr(vcpus, n, run->exit.gprs[1]);
				if (!t)
					return KH_RUN_ERROR;
				ret = rmm_rmi_psci_complete(h->rmm, h->cpu, v->rec, t->rec, 0);
				if (ret != RMI_SUCCESS) {
					fail(h, "PSCI_COMPLETE", ret);
					return KH_RUN_ERROR;
				}
			}
			break;
		}
		case RMI_EXIT_RIPAS_CHANGE:
			st->ripas_changes++;
			if (apply_ripas(h, r, v, run->exit.ripas_base, run->exit.ripas_top,
					run->exit.ripas_value))
				return KH_RUN_ERROR;
			break;
		case RMI_EXIT_HOST_CALL:
			st->host_calls++;
			run->enter.gprs[0] = run->exit.imm + 1u;
			for (int k = 1; k < 31; k++)
				run->enter.gprs[k] = run->exit.gprs[k];
			break;
		default:
			fprintf(stderr, "kvm_host: exit reason %u\n", run->exit.exit_reason);
			return KH_RUN_ERROR;
		}
		run->enter.flags = flags;
	}
	return KH_RUN_BUDGET;
}
