/*
 * linux_realm's flattened device tree (devicetree specification v0.4,
 * version 17): the machine the realm's kernel is told about.
 */
#include <stdio.h>
#include <string.h>

#include "linux_realm.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_END 9u

struct fdt {
	uint8_t st[6144];     /* structure block */
	char str[1024];       /* strings block */
	size_t nst, nstr;
	int overflow;
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void emit(struct fdt *f, const void *data, size_t len)
{
	size_t pad = (len + 3) & ~(size_t)3;

	if (f->nst + pad > sizeof(f->st)) {
		f->overflow = 1;
		return;
	}
	memcpy(f->st + f->nst, data, len);
	memset(f->st + f->nst + len, 0, pad - len);
	f->nst += pad;
}

static void tok(struct fdt *f, uint32_t t)
{
	uint8_t b[4];

	put32(b, t);
	emit(f, b, 4);
}

static uint32_t str_off(struct fdt *f, const char *name)
{
	size_t len = strlen(name) + 1;

	for (size_t i = 0; i < f->nstr; i += strlen(f->str + i) + 1)
		if (!strcmp(f->str + i, name))
			return (uint32_t)i;
	if (f->nstr + len > sizeof(f->str)) {
		f->overflow = 1;
		return 0;
	}
	memcpy(f->str + f->nstr, name, len);
	f->nstr += len;
	return (uint32_t)(f->nstr - len);
}

static void begin(struct fdt *f, const char *name)
{
	tok(f, FDT_BEGIN_NODE);
	emit(f, name, strlen(name) + 1);
}

static void end(struct fdt *f)
{
	tok(f, FDT_END_NODE);
}

static void prop(struct fdt *f, const char *name, const void *val, size_t len)
{
	uint8_t h[8];

	tok(f, FDT_PROP);
	put32(h, (uint32_t)len);
	put32(h + 4, str_off(f, name));
	emit(f, h, 8);
	emit(f, val, len);
}

static void prop_str(struct fdt *f, const char *name, const char *s)
{
	prop(f, name, s, strlen(s) + 1);
}

/* A list of NUL-terminated strings given as one buffer of total length. */
static void prop_strs(struct fdt *f, const char *name, const char *s, size_t len)
{
	prop(f, name, s, len);
}

static void prop_u32s(struct fdt *f, const char *name, const uint32_t *v, size_t n)
{
	uint8_t b[64];

	for (size_t i = 0; i < n && i < 16; i++)
		put32(b + 4 * i, v[i]);
	prop(f, name, b, 4 * n);
}

static void prop_u32(struct fdt *f, const char *name, uint32_t v)
{
	prop_u32s(f, name, &v, 1);
}

static void prop_empty(struct fdt *f, const char *name)
{
	prop(f, name, NULL, 0);
}

#define HI(x) ((uint32_t)((x) >> 32))
#define LO(x) ((uint32_t)(x))
#define PH_GIC 1u
#define PH_CLK 2u

size_t lr_make_dtb(uint8_t *out, size_t max, const char *cmdline, uint64_t ram, uint64_t ram_size,
		   uint64_t gicd, uint64_t gicr, uint64_t uart, uint64_t initrd, uint64_t initrd_size)
{
	static struct fdt f;
	char name[64], path[80];
	size_t off_st = 40 + 16, total;

	memset(&f, 0, sizeof(f));
	begin(&f, "");
	prop_u32(&f, "#address-cells", 2);
	prop_u32(&f, "#size-cells", 2);
	prop_str(&f, "compatible", "linux,dummy-virt");
	prop_str(&f, "model", "librmm linux_realm");
	prop_u32(&f, "interrupt-parent", PH_GIC);

	begin(&f, "chosen");
	prop_str(&f, "bootargs", cmdline);
	snprintf(path, sizeof(path), "/pl011@%llx", (unsigned long long)uart);
	prop_str(&f, "stdout-path", path);
	if (initrd) {
		uint32_t s[2] = { HI(initrd), LO(initrd) }, e[2] = { HI(initrd + initrd_size),
								   LO(initrd + initrd_size) };

		prop_u32s(&f, "linux,initrd-start", s, 2);
		prop_u32s(&f, "linux,initrd-end", e, 2);
	}
	end(&f);

	snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)ram);
	begin(&f, name);
	prop_str(&f, "device_type", "memory");
	{
		uint32_t reg[4] = { HI(ram), LO(ram), HI(ram_size), LO(ram_size) };

		prop_u32s(&f, "reg", reg, 4);
	}
	end(&f);

	begin(&f, "cpus");
	prop_u32(&f, "#address-cells", 1);
	prop_u32(&f, "#size-cells", 0);
	begin(&f, "cpu@0");
	prop_str(&f, "device_type", "cpu");
	prop_str(&f, "compatible", "arm,armv8");
	prop_u32(&f, "reg", 0);
	prop_str(&f, "enable-method", "psci");
	end(&f);
	end(&f);

	begin(&f, "psci");
	prop_strs(&f, "compatible", "arm,psci-1.0\0arm,psci-0.2", sizeof("arm,psci-1.0\0arm,psci-0.2"));
	prop_str(&f, "method", "smc");
	end(&f);

	begin(&f, "timer");
	prop_str(&f, "compatible", "arm,armv8-timer");
	{
		/* secure, non-secure physical, virtual, hypervisor PPIs; level high */
		uint32_t irqs[12] = { 1, 13, 0x104, 1, 14, 0x104, 1, 11, 0x104, 1, 10, 0x104 };

		prop_u32s(&f, "interrupts", irqs, 12);
	}
	prop_empty(&f, "always-on");
	end(&f);

	snprintf(name, sizeof(name), "intc@%llx", (unsigned long long)gicd);
	begin(&f, name);
	prop_str(&f, "compatible", "arm,gic-v3");
	prop_u32(&f, "#interrupt-cells", 3);
	prop_u32(&f, "#address-cells", 2);
	prop_u32(&f, "#size-cells", 2);
	prop_empty(&f, "interrupt-controller");
	prop_u32(&f, "#redistributor-regions", 1);
	{
		uint32_t reg[8] = { HI(gicd), LO(gicd), 0, 0x10000, HI(gicr), LO(gicr), 0, 0x20000 };

		prop_u32s(&f, "reg", reg, 8);
	}
	prop_u32(&f, "phandle", PH_GIC);
	end(&f);

	begin(&f, "apb-pclk");
	prop_str(&f, "compatible", "fixed-clock");
	prop_u32(&f, "#clock-cells", 0);
	prop_u32(&f, "clock-frequency", 24000000);
	prop_str(&f, "clock-output-names", "clk24mhz");
	prop_u32(&f, "phandle", PH_CLK);
	end(&f);

	snprintf(name, sizeof(name), "pl011@%llx", (unsigned long long)uart);
	begin(&f, name);
	prop_strs(&f, "compatible", "arm,pl011\0arm,primecell", sizeof("arm,pl011\0arm,primecell"));
	{
		uint32_t reg[4] = { HI(uart), LO(uart), 0, 0x1000 }, irq[3] = { 0, 1, 4 },
			 clk[2] = { PH_CLK, PH_CLK };

		prop_u32s(&f, "reg", reg, 4);
		prop_u32s(&f, "interrupts", irq, 3);
		prop_u32s(&f, "clocks", clk, 2);
	}
	prop_strs(&f, "clock-names", "uartclk\0apb_pclk", sizeof("uartclk\0apb_pclk"));
	end(&f);

	end(&f);
	tok(&f, FDT_END);
	if (f.overflow)
		return 0;
	total = off_st + f.nst + f.nstr;
	if (total > max)
		return 0;
	memset(out, 0, total);
	put32(out + 0, FDT_MAGIC);
	put32(out + 4, (uint32_t)total);
	put32(out + 8, (uint32_t)off_st);                 /* off_dt_struct */
	put32(out + 12, (uint32_t)(off_st + f.nst));      /* off_dt_strings */
	put32(out + 16, 40);                              /* off_mem_rsvmap */
	put32(out + 20, 17);                              /* version */
	put32(out + 24, 16);                              /* last_comp_version */
	put32(out + 28, 0);                               /* boot_cpuid_phys */
	put32(out + 32, (uint32_t)f.nstr);                /* size_dt_strings */
	put32(out + 36, (uint32_t)f.nst);                 /* size_dt_struct */
	/* 40: an empty memory reservation map (one zero entry) */
	memcpy(out + off_st, f.st, f.nst);
	memcpy(out + off_st + f.nst, f.str, f.nstr);
	return total;
}
