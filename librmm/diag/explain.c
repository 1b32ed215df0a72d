/*
 * rmm_explain_exit(): a REC exit decoded into sentences, with the stage-2
 * state behind it, so a failing test says why a realm stopped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/rmi_table.h"
#include "rtt/rtt.h"

struct out {
	char *buf;
	size_t len, off;
};

static void say(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->off >= o->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->off, o->len - o->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->off += (size_t)n;
}

static const char *fsc_name(unsigned int fsc, int *level)
{
	*level = -100;
	if (fsc <= 0x03) { *level = (int)fsc; return "address size fault"; }
	if (fsc >= 0x04 && fsc <= 0x07) { *level = (int)fsc - 4; return "translation fault"; }
	if (fsc >= 0x08 && fsc <= 0x0b) { *level = (int)fsc - 8; return "access flag fault"; }
	if (fsc >= 0x0c && fsc <= 0x0f) { *level = (int)fsc - 12; return "permission fault"; }
	if (fsc == 0x10) return "synchronous external abort";
	if (fsc >= 0x14 && fsc <= 0x17) { *level = (int)fsc - 0x14; return "external abort on the table walk"; }
	if (fsc >= 0x23 && fsc <= 0x27) { *level = (int)fsc - 0x24; return "Granule Protection Fault on the stage-2 table walk"; }
	if (fsc == 0x28) return "Granule Protection Fault";
	if (fsc == 0x21) return "alignment fault";
	return "fault";
}

static const char *ripas_word(unsigned int r)
{
	if (r == 0xff)
		return "none: not a protected IPA with memory";
	return r == RMI_EMPTY ? "EMPTY" : r == RMI_RAM ? "RAM" : r == RMI_DESTROYED ? "DESTROYED" : "?";
}

/* Before the RMM's own walk: the level of a table entry on ipa's path that
 * points at something other than an RTT granule (RTT contents the RMM never
 * wrote), with the entry in *bad; -100 if the path is sound. */
static int path_broken(struct rmm *rmm, const struct s2_ctx *s, uint64_t ipa, uint64_t *bad)
{
	uint64_t tbl_pa = s->rtt_base + ((ipa >> level_shift(s->sl)) / RTT_ENTRIES) * GRANULE_SIZE;

	for (int l = s->sl; l < 3; l++) {
		uint64_t *tbl = rmm->hal->granule_ptr(rmm->hal_h, tbl_pa);
		uint64_t d = rtt_read(tbl, (unsigned int)((ipa >> level_shift(l)) % RTT_ENTRIES));

		if (!(d & DESC_VALID) || !(d & DESC_TYPE))
			return -100;
		tbl_pa = d & DESC_OA_MASK;
		if (rmm_granule_state(rmm, tbl_pa) != RMM_GRANULE_RTT) {
			*bad = d;
			return l;
		}
	}
	return -100;
}

/* What the realm's tables hold at ipa; for a walk fault at 'flevel', the
 * RTT granule at that level. */
static void explain_ipa(struct rmm *rmm, uint64_t rd, uint64_t ipa, int flevel, bool gpf,
			struct out *o)
{
	struct call c = { rmm, 0, 0, "EXPLAIN" };
	struct granule *g_rd = granule_find(rmm, rd);
	struct rtt_walk w;
	struct s2_ctx s;
	struct rtte e;
	char why[400];

	if (!g_rd)
		return;
	granule_lock(rmm, g_rd);
	if (g_rd->state != RMM_GRANULE_RD) {
		granule_unlock(g_rd);
		return;
	}
	realm_s2_ctx(realm_of(rmm, g_rd), &s);
	if (!ipa_in_range(ipa, s.ipa_width)) {
		granule_unlock(g_rd);
		say(o, " IPA 0x%llx is outside the realm's %u-bit IPA space.", (unsigned long long)ipa,
		    s.ipa_width);
		return;
	}
	{
		uint64_t bad = 0;
		int bl = path_broken(rmm, &s, ipa, &bad);

		if (bl != -100) {
			granule_unlock(g_rd);
			say(o, " The level %d RTT entry on the walk of IPA 0x%llx holds 0x%llx, a table "
			       "descriptor whose address is not an RTT: the RMM never writes that, so "
			       "the RTT's contents are stale or corrupted (see the findings).", bl,
			    (unsigned long long)ipa, (unsigned long long)bad);
			return;
		}
	}
	rtt_walk_lock(&c, &s, ipa, gpf && flevel >= s.sl ? flevel : 3, &w, g_rd);
	rtte_decode(rtt_read(w.tbl, w.idx), w.level, &e);
	if (gpf && flevel >= s.sl) {
		uint64_t pa = granule_pa(rmm, w.g);

		rtt_walk_unlock(&w);
		rmm_explain_granule(rmm, pa, why, sizeof(why));
		say(o, " The level %d RTT on that walk: %s.", flevel, why);
		return;
	}
	rtt_walk_unlock(&w);
	say(o, " The %s IPA 0x%llx: the walk reaches level %d, entry %s", ipa_is_protected(ipa, s.ipa_width)
	    ? "protected" : "unprotected", (unsigned long long)ipa, w.level, rtte_state_name(e.st));
	if (e.st == RTTE_UNASSIGNED || e.st == RTTE_ASSIGNED)
		say(o, ", RIPAS %s", ripas_word(e.ripas));
	if (e.st == RTTE_ASSIGNED || e.st == RTTE_ASSIGNED_NS)
		say(o, ", output address 0x%llx", (unsigned long long)e.oa);
	say(o, ".");
	if (gpf && e.oa) {
		uint64_t pa = e.oa + (ipa & (level_size(w.level) - 1) & ~GRANULE_MASK);
		bool realm_pas = rmm->hal->gpt_get(rmm->hal_h, pa) == RMM_PAS_REALM;

		rmm_explain_granule(rmm, pa, why, sizeof(why));
		say(o, " The granule it maps: %s.", why);
		if (e.st == RTTE_ASSIGNED_NS && realm_pas)
			say(o, " The host delegated this granule while it maps it at an unprotected "
			       "IPA: an unprotected mapping reaches NS memory only, so the realm's "
			       "access takes a GPF, as on hardware. The RMM's state is consistent; "
			       "the host should RTT_UNMAP_UNPROTECTED before GRANULE_DELEGATE.");
		else if (e.st == RTTE_ASSIGNED_NS || (e.st == RTTE_ASSIGNED && realm_pas))
			say(o, " The GPT agrees with the mapping now: this CPU's GPT cache held a "
			       "stale entry (a missing GPT invalidation).");
		else
			say(o, " A realm mapping of a granule outside Realm PAS: an RMM invariant "
			       "violation.");
	}
	if (ipa_is_protected(ipa, s.ipa_width) && e.st == RTTE_UNASSIGNED && e.ripas == RMI_RAM)
		say(o, " The host should map it (DELEGATE + DATA_CREATE_UNKNOWN, creating RTTs on "
		       "ERROR_RTT) and enter again.");
	if (ipa_is_protected(ipa, s.ipa_width) && e.ripas == RMI_DESTROYED)
		say(o, " RIPAS DESTROYED: the realm cannot make progress at this IPA.");
}

/* Why a stage-2 fault of this kind happens on a realm, in one or two
 * sentences, for a reader holding only the syndrome. */
static void say_cause(struct out *o, uint64_t esr, bool iabt)
{
	unsigned int fsc = (unsigned int)(esr & 0x3f);
	int level;

	(void)fsc_name(fsc, &level);
	if (fsc >= 0x23 && fsc <= 0x27)
		say(o, " The RTT granule the stage-2 walk read at level %d is not in Realm PAS as this "
		       "CPU's GPT cache sees it. The RMM links only delegated granules into RTTs, so "
		       "this CPU holds a stale GPT entry: the GPT invalidation after the "
		       "GRANULE_DELEGATE of that RTT did not reach it (seen when a realm is built on "
		       "one CPU and entered on another).", level);
	else if (fsc == 0x28)
		say(o, " The granule the IPA maps to is not in the PAS its mapping requires, as this "
		       "CPU's GPT cache sees it: a stale GPT entry, or an RMM invariant violation.");
	else if (fsc == 0x00 && (esr >> 26) & 1)
		say(o, " A stage-1 fault the realm's own EL1 took (an ESR_EL1): with SCTLR_EL1.M clear "
		       "the VA is used as the address unchanged, and a VA with bits set above the PA "
		       "size (a kernel virtual address) faults at level 0 before any memory is read; "
		       "the exception goes to VBAR_EL1 + 0x200 (0x200 if VBAR_EL1 was never set).");
	else if (fsc <= 0x03)
		say(o, " An address produced at level %d is beyond the configured size: the IPA is "
		       "outside the realm's IPA space, or a descriptor read at level %d holds an output "
		       "address beyond the physical address range. RTT entries the RMM writes never "
		       "do, so on a populated realm the walker read bytes the RMM did not write (stale "
		       "RTT contents).", level, level);
	else if (fsc <= 0x07)
		say(o, " The stage-2 walk found an invalid descriptor at level %d: the IPA is not "
		       "mapped (UNASSIGNED, or a missing RTT)%s.", level,
		    level < 3 ? "; if the RMM's tables map it, the walker read that level's RTT "
				"contents stale" : "");
	else if (fsc <= 0x0b)
		say(o, " The descriptor at level %d has its Access Flag clear. The RMM sets AF in "
		       "every descriptor it writes and stage 2 has no hardware AF update, so the "
		       "walker read a descriptor the RMM did not write (stale RTT contents).", level);
	else if (fsc <= 0x0f)
		say(o, " Stage-2 permissions refuse the access%s.",
		    iabt ? ": an instruction fetch from an unprotected (host-shared) mapping"
			 : ", e.g. a write to a read-only unprotected mapping");
	else if (fsc == 0x10)
		say(o, " A synchronous external abort: no memory behind the address (the RMM "
		       "injects one into the realm for RIPAS EMPTY).");
}

/* The abort syndrome (EC 0x20, 0x21, 0x24, 0x25) in sentences. 'ipa' is
 * valid if have_ipa; 'far' if have_far; 'causes' adds the likely causes;
 * 'have_rd': the realm's tables will be described after this. */
static void say_abort(struct out *o, uint64_t esr, uint64_t ipa, bool have_ipa, uint64_t far,
		      bool have_far, bool causes, bool have_rd)
{
	uint64_t ec = esr >> 26;
	bool iabt = ec == 0x20 || ec == 0x21;
	int level;
	const char *what = fsc_name((unsigned int)(esr & 0x3f), &level);
	bool gpf = (esr & 0x3f) >= 0x23 && (esr & 0x3f) <= 0x28;

	say(o, " %s abort from the realm (ESR 0x%llx): %s", iabt ? "Instruction" : "Data",
	    (unsigned long long)esr, what);
	if (causes && (ec & 1) && (esr & 0x3f) < 0x10)
		say(o, " at stage 1");
	if (level != -100)
		say(o, " at level %d", level);
	if (esr & (1ull << 7))
		say(o, " during the stage-1 table walk");
	if (!iabt && (esr & (1ull << 6)))
		say(o, ", on a write");
	if (have_ipa)
		say(o, ", IPA 0x%llx.", (unsigned long long)ipa);
	else
		say(o, ".");
	if (causes) {
		say(o, " EC 0x%llx: %s abort taken from %s; IL %d.", (unsigned long long)ec,
		    iabt ? "instruction" : "data",
		    (ec & 1) ? "the EL that took it (in an ESR_EL1: the realm's EL1 itself)"
			     : "the realm (a lower EL)",
		    (int)((esr >> 25) & 1));
		if (esr & (1ull << 7))
			say(o, " S1PTW: the realm's stage-1 MMU was on and the fault hit the stage-2 "
			       "translation of its own page-table read, so HPFAR names the IPA of that "
			       "stage-1 table%s and FAR the virtual address being %s.",
			    have_ipa ? "" : " (HPFAR not given)", iabt ? "fetched" : "accessed");
		else if (have_ipa)
			say(o, " HPFAR names the IPA of the %s itself.",
			    iabt ? "instruction fetched" : "data accessed");
		if (have_far)
			say(o, " FAR 0x%llx.", (unsigned long long)far);
	}
	if (esr & (1ull << 24))
		say(o, " Emulatable MMIO: a %u-byte %s; the host emulates it and enters with "
		       "RMI_EMULATED_MMIO (%s).", 1u << ((esr >> 22) & 3),
		    (esr & (1ull << 6)) ? "store" : "load",
		    (esr & (1ull << 6)) ? "the stored value is in exit.gprs[0]"
					: "the loaded value goes in enter.gprs[0]");
	if (gpf && level != -100)
		say(o, " A stage-2 table outside Realm PAS as this CPU's GPT cache sees it: "
		       "an RMM invariant violation, or a missing GPT invalidation.");
	else if (gpf && !have_rd)
		say(o, " The access reached a granule outside the PAS its mapping requires, "
		       "as this CPU's GPT cache sees it.");
	if (causes)
		say_cause(o, esr, iabt);
}

int rmm_realm_sea_loop(struct rmm *rmm, uint64_t rd, struct rmm_sea_loop *out)
{
	struct granule *g = granule_find(rmm, rd);
	struct realm *r;
	int ret = 0;

	if (!g)
		return RMM_EINVAL;
	granule_lock(rmm, g);
	if (g->state != RMM_GRANULE_RD) {
		granule_unlock(g);
		return RMM_EINVAL;
	}
	r = realm_of(rmm, g);
	out->count = atomic_load_explicit(&r->loop_count, memory_order_acquire);
	if (out->count) {
		out->ipa = atomic_load_explicit(&r->loop_ipa, memory_order_relaxed);
		out->vbar = atomic_load_explicit(&r->loop_vbar, memory_order_relaxed);
		out->pc = atomic_load_explicit(&r->loop_pc, memory_order_relaxed);
		out->rec_index = atomic_load_explicit(&r->loop_rec, memory_order_relaxed);
		out->ripas = atomic_load_explicit(&r->loop_ripas, memory_order_relaxed);
		ret = 1;
	}
	granule_unlock(g);
	return ret;
}

/* For an IRQ exit: the SEA loop it cut short, if the realm had one. */
static void explain_loop(struct rmm *rmm, uint64_t rd, struct out *o)
{
	struct rmm_sea_loop l;

	if (rmm_realm_sea_loop(rmm, rd, &l) != 1)
		return;
	say(o, " This exit ended an SEA loop: REC %u took %llu SEAs in a row for "
	       "IPA 0x%llx (RIPAS %s), each delivered to its vector at 0x%llx (VBAR_EL1 0x%llx%s), "
	       "and the access faulted again. The RMM ends the REC_ENTER there instead of "
	       "spinning; entering again continues the loop. The realm cannot make progress until "
	       "that IPA is RIPAS RAM and mapped (or its vectors are).", l.rec_index,
	    (unsigned long long)l.count, (unsigned long long)l.ipa, ripas_word(l.ripas),
	    (unsigned long long)l.pc, (unsigned long long)l.vbar,
	    l.vbar ? "" : ": unset, so the vectors are at IPA 0");
}

void rmm_explain_esr(uint64_t esr, uint64_t hpfar, uint64_t far, unsigned int have, char *buf,
		     size_t len)
{
	struct out o = { buf, len, 0 };
	uint64_t ec = (esr >> 26) & 0x3f;
	bool have_ipa = have & RMM_ESR_HAVE_HPFAR, have_far = have & RMM_ESR_HAVE_FAR;
	/* FAR's page offset completes the IPA, except on a stage-1 walk (FAR
	 * then holds the VA being translated, not the table's address) */
	uint64_t ipa = ((hpfar & 0x00000ffffffffff0ull) << 8) |
		       (have_far && !(esr & (1ull << 7)) ? far & 0xfff : 0);

	if (len)
		buf[0] = '\0';
	switch (ec) {
	case 0x20: case 0x21: case 0x24: case 0x25:
		say_abort(&o, esr, ipa, have_ipa, far, have_far, true, false);
		break;
	case 0x00:
		say(&o, " ESR 0x%llx: EC 0x00, an unknown reason (an UNDEFINED instruction).",
		    (unsigned long long)esr);
		break;
	case 0x01:
		say(&o, " ESR 0x%llx: the realm executed %s (trapped).", (unsigned long long)esr,
		    (esr & 1) ? "WFE" : "WFI");
		break;
	case 0x16: case 0x17:
		say(&o, " ESR 0x%llx: %s #%llu from the realm.", (unsigned long long)esr,
		    ec == 0x16 ? "HVC" : "SMC", (unsigned long long)(esr & 0xffff));
		break;
	case 0x18:
		say(&o, " ESR 0x%llx: a trapped MSR/MRS/system instruction (%s, Rt %u).",
		    (unsigned long long)esr, (esr & 1) ? "read" : "write",
		    (unsigned int)((esr >> 5) & 31));
		break;
	default:
		say(&o, " ESR 0x%llx: EC 0x%llx, not an exception a realm exit reports.",
		    (unsigned long long)esr, (unsigned long long)ec);
		break;
	}
	/* drop the leading space */
	if (len > 1 && buf[0] == ' ')
		memmove(buf, buf + 1, strlen(buf));
}

void rmm_explain_exit(struct rmm *rmm, uint64_t rd, const struct rmi_rec_exit *ex, char *buf,
		      size_t len)
{
	static const char *const reasons[] = { "SYNC", "IRQ", "FIQ", "PSCI", "RIPAS_CHANGE",
					       "HOST_CALL", "SERROR" };
	struct out o = { buf, len, 0 };
	uint64_t esr = ex->esr, ec = esr >> 26;
	uint64_t ipa = ((ex->hpfar & 0x00000ffffffffff0ull) << 8) | (ex->far & 0xfff);

	if (len)
		buf[0] = '\0';
	say(&o, "REC exit %s.", ex->exit_reason <= 6 ? reasons[ex->exit_reason] : "(unknown)");
	switch (ex->exit_reason) {
	case RMI_EXIT_SYNC:
		break;
	case RMI_EXIT_PSCI:
		say(&o, " PSCI function 0x%llx, argument 0x%llx: the host emulates it (CPU_ON and "
			"AFFINITY_INFO end with RMI_PSCI_COMPLETE).", (unsigned long long)ex->gprs[0],
		    (unsigned long long)ex->gprs[1]);
		return;
	case RMI_EXIT_RIPAS_CHANGE:
		say(&o, " The realm asks for RIPAS %s on [0x%llx, 0x%llx): the host applies it with "
			"RMI_RTT_SET_RIPAS (or rejects a RAM request).", ripas_word(ex->ripas_value),
		    (unsigned long long)ex->ripas_base, (unsigned long long)ex->ripas_top);
		return;
	case RMI_EXIT_HOST_CALL:
		say(&o, " Host call #%u; the host's answer goes in enter.gprs[] on the next entry.",
		    ex->imm);
		return;
	default:
		say(&o, " Nothing for the host to do but enter again (after handling its interrupt).");
		if (rmm && rd)
			explain_loop(rmm, rd, &o);
		return;
	}
	if (ec == 0x01) {
		say(&o, " The realm executed %s (trapped).", (esr & 1) ? "WFE" : "WFI");
		return;
	}
	if (ec == 0x18) {
		say(&o, " Trapped system register write (ICC SGI generation): value 0x%llx.",
		    (unsigned long long)ex->gprs[0]);
		return;
	}
	if (ec == 0x20 || ec == 0x24) {
		int level;
		bool gpf = (esr & 0x3f) >= 0x23 && (esr & 0x3f) <= 0x28;

		(void)fsc_name((unsigned int)(esr & 0x3f), &level);
		say_abort(&o, esr, ipa, true, 0, false, false, rd != 0);
		if (rd)
			explain_ipa(rmm, rd, ipa, level, gpf, &o);
		if (!gpf || !(esr & (1ull << 7)))
			return;
		say(&o, " S1PTW: the IPA is that of the realm's stage-1 table (its MMU was on).");
		return;
	}
	say(&o, " ESR 0x%llx.", (unsigned long long)esr);
}
