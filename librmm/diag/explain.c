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
	return r == RMI_EMPTY ? "EMPTY" : r == RMI_RAM ? "RAM" : r == RMI_DESTROYED ? "DESTROYED" : "?";
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
		const char *what = fsc_name((unsigned int)(esr & 0x3f), &level);
		bool gpf = (esr & 0x3f) >= 0x23 && (esr & 0x3f) <= 0x28;

		say(&o, " %s abort from the realm (ESR 0x%llx): %s", ec == 0x20 ? "Instruction" : "Data",
		    (unsigned long long)esr, what);
		if (level != -100)
			say(&o, " at level %d", level);
		if (esr & (1ull << 7))
			say(&o, " during the stage-1 table walk");
		if (ec == 0x24 && (esr & (1ull << 6)))
			say(&o, ", on a write");
		say(&o, ", IPA 0x%llx.", (unsigned long long)ipa);
		if (esr & (1ull << 24))
			say(&o, " Emulatable MMIO: a %u-byte %s; the host emulates it and enters with "
				"RMI_EMULATED_MMIO (%s).", 1u << ((esr >> 22) & 3),
			    (esr & (1ull << 6)) ? "store" : "load",
			    (esr & (1ull << 6)) ? "the stored value is in exit.gprs[0]"
						: "the loaded value goes in enter.gprs[0]");
		if (gpf && level != -100)
			say(&o, " A stage-2 table outside Realm PAS as this CPU's GPT cache sees it: "
				"an RMM invariant violation, or a missing GPT invalidation.");
		else if (gpf && !rd)
			say(&o, " The access reached a granule outside the PAS its mapping requires, "
				"as this CPU's GPT cache sees it.");
		if (rd)
			explain_ipa(rmm, rd, ipa, level, gpf, &o);
		return;
	}
	say(&o, " ESR 0x%llx.", (unsigned long long)esr);
}
