/*
 * rmm-esr: decode a realm exit's syndrome from a log into sentences.
 *
 *	rmm-esr ESR [HPFAR [FAR]]     (hex or decimal; "-" skips HPFAR)
 *
 * Prints rmm_explain_esr()'s explanation, one sentence a line. Exit status 0,
 * or 2 on a malformed argument.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rmm/rmi.h>

static int parse(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return (errno || end == s || *end) ? -1 : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: rmm-esr ESR [HPFAR [FAR]]   e.g. rmm-esr 0x820000a5 0x40\n"
			"  decodes ESR_EL2 (and HPFAR_EL2, FAR_EL2 when given; '-' skips one)\n");
	return 2;
}

int main(int argc, char **argv)
{
	uint64_t esr, hpfar = 0, far = 0;
	unsigned int have = 0;
	char buf[4096];

	if (argc < 2 || argc > 4 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return usage();
	if (parse(argv[1], &esr) || esr >> 32)
		return usage();
	if (argc > 2 && strcmp(argv[2], "-")) {
		if (parse(argv[2], &hpfar))
			return usage();
		have |= RMM_ESR_HAVE_HPFAR;
	}
	if (argc > 3 && strcmp(argv[3], "-")) {
		if (parse(argv[3], &far))
			return usage();
		have |= RMM_ESR_HAVE_FAR;
	}
	rmm_explain_esr(esr, hpfar, far, have, buf, sizeof(buf));
	/* one sentence a line: break after ". " */
	for (char *p = buf; *p; p++) {
		putchar(*p);
		if (*p == '.' && p[1] == ' ') {
			putchar('\n');
			p++;
		}
	}
	putchar('\n');
	return 0;
}
