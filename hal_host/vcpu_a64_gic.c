/*
 * The AArch64 interpreter: the GICv3 virtual CPU interface (ICC_*_EL1 as a
 * realm at EL1 reaches it), backed by the REC's list registers, VMCR and
 * active-priority registers (rmm_vcpu_gic()). The host programs the list
 * registers on REC entry and reads them back on exit, exactly as with
 * ICH_LR<n>_EL2 on hardware.
 *
 * Model: 5 priority bits (ICC_CTLR.PRIbits = 4), so one active-priority
 * register per group (AP0R0/AP1R0) and a group priority of prio[7:3]
 * whatever BPR holds (BPR0 reads at least 2, BPR1 at least 3, their minimum
 * for 5 bits); 16-bit INTIDs; EOImode from VMCR.VEOIM; ICC_SRE_EL1 reads
 * 0x7 (SRE, DFB, DIB; writes ignored). Group 1 interrupts are signalled as
 * IRQ; group 0 is acknowledged and ended through the *0 registers but never
 * signalled (a realm's interrupts are group 1). SGI generation (ICC_SGI*R)
 * traps to the RMM, which passes it to the host.
 */
#include "vcpu_a64_int.h"

#define K(o0, o1, n, m, o2) (((o0) << 14) | ((o1) << 11) | ((n) << 7) | ((m) << 3) | (o2))

#define LR_STATE(lr) ((unsigned int)((lr) >> 62))
#define LR_PENDING 1u
#define LR_ACTIVE 2u
#define LR_GROUP1(lr) (((lr) >> 60) & 1)
#define LR_PRIO(lr) ((unsigned int)(((lr) >> 48) & 0xf8))
#define LR_INTID(lr) ((unsigned int)((lr) & 0xffffff))
#define SPURIOUS 1023u

#define VMCR_VENG0 (1ull << 0)
#define VMCR_VENG1 (1ull << 1)
#define VMCR_VCBPR (1ull << 4)
#define VMCR_VEOIM (1ull << 9)
#define VMCR_BPR1_SHIFT 18
#define VMCR_BPR0_SHIFT 21
#define VMCR_PMR_SHIFT 24

bool a64_gic_holds(const struct rmm_vcpu_gic *g, unsigned int intid)
{
	for (unsigned int i = 0; i < g->num_lrs; i++)
		if (LR_STATE(g->lrs[i]) && LR_INTID(g->lrs[i]) == intid)
			return true;
	return false;
}

/* The running priority: the highest active priority of either group. */
static unsigned int running_prio(const struct rmm_vcpu_gic *g)
{
	uint32_t act = (uint32_t)(*g->ap0r | *g->ap1r);

	return act ? (unsigned int)__builtin_ctz(act) << 3 : 0x100;
}

/* The highest-priority pending list register of a group (-1: none). With
 * respect_prio, only one that may be signalled now: its group enabled, its
 * priority above PMR and the running priority. */
static int hppi(const struct rmm_vcpu_gic *g, bool group1, bool respect_prio)
{
	unsigned int best = 0x100, pmr = (unsigned int)((*g->vmcr >> VMCR_PMR_SHIFT) & 0xf8);
	int lr = -1;

	for (unsigned int i = 0; i < g->num_lrs; i++) {
		uint64_t v = g->lrs[i];

		if (LR_STATE(v) != LR_PENDING || LR_GROUP1(v) != group1)
			continue;
		if (LR_PRIO(v) < best) {
			best = LR_PRIO(v);
			lr = (int)i;
		}
	}
	if (lr < 0 || !respect_prio)
		return lr;
	if (!(*g->vmcr & (group1 ? VMCR_VENG1 : VMCR_VENG0)) || best >= pmr ||
	    best >= running_prio(g))
		return -1;
	return lr;
}

bool a64_gic_signalled(struct cpu *c, const struct rmm_vcpu_gic *g, bool respect_prio)
{
	(void)c;
	return hppi(g, true, respect_prio) >= 0;
}

static uint64_t ack(const struct rmm_vcpu_gic *g, bool group1)
{
	int i = hppi(g, group1, true);
	uint64_t *apr = group1 ? g->ap1r : g->ap0r;

	if (i < 0)
		return SPURIOUS;
	g->lrs[i] = (g->lrs[i] & ~(3ull << 62)) | ((uint64_t)LR_ACTIVE << 62);
	*apr |= 1ull << (LR_PRIO(g->lrs[i]) >> 3);
	return LR_INTID(g->lrs[i]);
}

static void deactivate(const struct rmm_vcpu_gic *g, unsigned int intid)
{
	for (unsigned int i = 0; i < g->num_lrs; i++) {
		if ((LR_STATE(g->lrs[i]) & LR_ACTIVE) && LR_INTID(g->lrs[i]) == intid) {
			g->lrs[i] &= ~((uint64_t)LR_ACTIVE << 62);
			return;
		}
	}
	/* not in a list register: counted for the host (ICH_HCR_EL2.EOIcount) */
	*g->hcr += 1ull << 27;
}

static void eoi(const struct rmm_vcpu_gic *g, bool group1, unsigned int intid)
{
	uint64_t *apr = group1 ? g->ap1r : g->ap0r;
	uint32_t both = (uint32_t)(*g->ap0r | *g->ap1r);

	if (intid >= 1020 && intid < 1024)
		return;
	/* priority drop: the highest active priority, if it is this group's */
	if (both && (*apr & (1ull << __builtin_ctz(both))))
		*apr &= ~(1ull << __builtin_ctz(both));
	if (!(*g->vmcr & VMCR_VEOIM))
		deactivate(g, intid);
}

static void set_field(uint64_t *reg, unsigned int shift, uint64_t mask, uint64_t v)
{
	*reg = (*reg & ~(mask << shift)) | ((v & mask) << shift);
}

bool a64_gic_reg(struct cpu *c, uint32_t key, bool l, uint64_t *val)
{
	struct rmm_vcpu_gic g;
	uint64_t v = *val, bpr;

	if ((key >> 7) != (K(3, 0, 12, 0, 0) >> 7) && key != K(3, 0, 4, 6, 0))
		return false;  /* not CRn 12 (or ICC_PMR_EL1) */
	rmm_vcpu_gic(c->v, &g);
	c->check_irq = true;
	switch (key) {
	case K(3, 0, 4, 6, 0):  /* ICC_PMR_EL1 */
		if (l)
			*val = (*g.vmcr >> VMCR_PMR_SHIFT) & 0xf8;
		else
			set_field(g.vmcr, VMCR_PMR_SHIFT, 0xff, v & 0xf8);
		return true;
	case K(3, 0, 12, 12, 0):  /* ICC_IAR1_EL1 */
	case K(3, 0, 12, 8, 0):   /* ICC_IAR0_EL1 */
		if (l)
			*val = ack(&g, key == K(3, 0, 12, 12, 0));
		return l;
	case K(3, 0, 12, 12, 1):  /* ICC_EOIR1_EL1 */
	case K(3, 0, 12, 8, 1):   /* ICC_EOIR0_EL1 */
		if (!l)
			eoi(&g, key == K(3, 0, 12, 12, 1), (unsigned int)(v & 0xffffff));
		return !l;
	case K(3, 0, 12, 11, 1):  /* ICC_DIR_EL1 */
		if (!l && (*g.vmcr & VMCR_VEOIM))
			deactivate(&g, (unsigned int)(v & 0xffffff));
		return !l;
	case K(3, 0, 12, 12, 2):  /* ICC_HPPIR1_EL1 */
	case K(3, 0, 12, 8, 2): { /* ICC_HPPIR0_EL1 */
		int i = hppi(&g, key == K(3, 0, 12, 12, 2), false);

		if (l)
			*val = i < 0 ? SPURIOUS : LR_INTID(g.lrs[i]);
		return l;
	}
	case K(3, 0, 12, 11, 3):  /* ICC_RPR_EL1 */
		if (l)
			*val = running_prio(&g) & 0xff;
		if (l && running_prio(&g) == 0x100)
			*val = 0xff;
		return l;
	case K(3, 0, 12, 12, 3):  /* ICC_BPR1_EL1 */
		bpr = (*g.vmcr >> VMCR_BPR1_SHIFT) & 7;
		if (l)
			*val = bpr < 3 ? 3 : bpr;
		else
			set_field(g.vmcr, VMCR_BPR1_SHIFT, 7, v < 3 ? 3 : v);
		return true;
	case K(3, 0, 12, 8, 3):   /* ICC_BPR0_EL1 */
		bpr = (*g.vmcr >> VMCR_BPR0_SHIFT) & 7;
		if (l)
			*val = bpr < 2 ? 2 : bpr;
		else
			set_field(g.vmcr, VMCR_BPR0_SHIFT, 7, v < 2 ? 2 : v);
		return true;
	case K(3, 0, 12, 12, 4):  /* ICC_CTLR_EL1: A3V, IDbits 0, PRIbits 4 */
		if (l)
			*val = (1ull << 15) | (4ull << 8) | ((*g.vmcr & VMCR_VEOIM) ? 2 : 0) |
			       ((*g.vmcr & VMCR_VCBPR) ? 1 : 0);
		else
			*g.vmcr = (*g.vmcr & ~(VMCR_VEOIM | VMCR_VCBPR)) |
				  ((v & 2) ? VMCR_VEOIM : 0) | ((v & 1) ? VMCR_VCBPR : 0);
		return true;
	case K(3, 0, 12, 12, 5):  /* ICC_SRE_EL1 */
		if (l)
			*val = 7;
		return true;
	case K(3, 0, 12, 12, 6):  /* ICC_IGRPEN0_EL1 */
	case K(3, 0, 12, 12, 7): { /* ICC_IGRPEN1_EL1 */
		uint64_t bit = key == K(3, 0, 12, 12, 7) ? VMCR_VENG1 : VMCR_VENG0;

		if (l)
			*val = (*g.vmcr & bit) ? 1 : 0;
		else
			*g.vmcr = (v & 1) ? (*g.vmcr | bit) : (*g.vmcr & ~bit);
		return true;
	}
	case K(3, 0, 12, 9, 0):   /* ICC_AP1R0_EL1 */
	case K(3, 0, 12, 8, 4): { /* ICC_AP0R0_EL1 */
		uint64_t *apr = key == K(3, 0, 12, 9, 0) ? g.ap1r : g.ap0r;

		if (l)
			*val = *apr;
		else
			*apr = (uint32_t)v;
		return true;
	}
	default:
		return false;  /* SGI generation and the rest: the RMM */
	}
}
