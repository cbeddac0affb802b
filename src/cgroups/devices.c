/* cgroup v2 has no devices controller: device access is decided by a
 * BPF_PROG_TYPE_CGROUP_DEVICE program attached to the group, as crun and runc
 * do. The program is generated from the allow-list: default deny, then the
 * rules, the last matching rule deciding (the v1 controller's semantics). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../resources.h"
#include "../util.h"
#include "cgroup-internal.h"

/* Registers of the program: r1 the context, then what is loaded from it. */
enum { R0, R1, R2, R3, R4, R5 };

static struct bpf_insn ldx_w(int dst, int src, short off)
{
	return (struct bpf_insn){ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = dst, .src_reg = src, .off = off };
}

static struct bpf_insn alu_imm(int op, int dst, int imm)
{
	return (struct bpf_insn){ .code = BPF_ALU | op | BPF_K, .dst_reg = dst, .imm = imm };
}

static struct bpf_insn mov_reg(int dst, int src)
{
	return (struct bpf_insn){ .code = BPF_ALU | BPF_MOV | BPF_X, .dst_reg = dst, .src_reg = src };
}

static struct bpf_insn jmp_imm(int op, int dst, int imm, short off)
{
	return (struct bpf_insn){ .code = BPF_JMP | op | BPF_K, .dst_reg = dst, .imm = imm, .off = off };
}

static struct bpf_insn mov_imm(int dst, int imm)
{
	return alu_imm(BPF_MOV, dst, imm);
}

static struct bpf_insn exit_insn(void)
{
	return (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
}

static int access_bits(const char *access)
{
	int bits = 0;

	if (strchr(access, 'm'))
		bits |= BPF_DEVCG_ACC_MKNOD;
	if (strchr(access, 'r'))
		bits |= BPF_DEVCG_ACC_READ;
	if (strchr(access, 'w'))
		bits |= BPF_DEVCG_ACC_WRITE;
	return bits;
}

/* One rule: if the request matches, return its verdict; else fall through.
 * r2 = device type, r3 = requested access, r4 = major, r5 = minor. */
static size_t emit_rule(struct bpf_insn *p, const struct ctr_device_rule *d)
{
	struct bpf_insn body[16];
	size_t n = 0;
	int acc = access_bits(d->access);

	if (d->type != 'a')
		body[n++] = jmp_imm(BPF_JNE, R2, d->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0);
	if (d->type != 'a' && acc != (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)) {
		/* allow: every requested bit is allowed; deny: any is denied. */
		body[n++] = mov_reg(R0, R3);
		body[n++] = alu_imm(BPF_AND, R0, d->allow ? ~acc : acc);
		body[n++] = jmp_imm(d->allow ? BPF_JNE : BPF_JEQ, R0, 0, 0);
	}
	if (d->type != 'a' && d->major >= 0)
		body[n++] = jmp_imm(BPF_JNE, R4, (int)d->major, 0);
	if (d->type != 'a' && d->minor >= 0)
		body[n++] = jmp_imm(BPF_JNE, R5, (int)d->minor, 0);
	body[n++] = mov_imm(R0, d->allow ? 1 : 0);
	body[n++] = exit_insn();
	/* Every conditional jump goes to the end of this rule. */
	for (size_t i = 0; i < n; i++)
		if (BPF_CLASS(body[i].code) == BPF_JMP && BPF_OP(body[i].code) != BPF_EXIT)
			body[i].off = (short)(n - i - 1);
	memcpy(p, body, n * sizeof(*p));
	return n;
}

static int bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int load_program(const struct ctr_resources *res)
{
	size_t nrules = ctr_n_default_devices + res->n_devices, n = 0;
	_cleanup_free_ struct bpf_insn *prog = calloc(8 + nrules * 16, sizeof(*prog));
	union bpf_attr attr;
	int fd;

	if (!prog)
		return -ENOMEM;
	prog[n++] = ldx_w(R2, R1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
	prog[n++] = mov_reg(R3, R2);
	prog[n++] = alu_imm(BPF_AND, R2, 0xffff);
	prog[n++] = alu_imm(BPF_RSH, R3, 16);
	prog[n++] = ldx_w(R4, R1, offsetof(struct bpf_cgroup_dev_ctx, major));
	prog[n++] = ldx_w(R5, R1, offsetof(struct bpf_cgroup_dev_ctx, minor));
	/* Last rule first: the first match in the program is the last rule. */
	for (size_t i = nrules; i-- > 0;)
		n += emit_rule(prog + n, i < ctr_n_default_devices ? &ctr_default_devices[i]
								   : &res->devices[i - ctr_n_default_devices]);
	prog[n++] = mov_imm(R0, 0);
	prog[n++] = exit_insn();

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)prog;
	attr.insn_cnt = (uint32_t)n;
	attr.license = (uint64_t)(uintptr_t) "GPL";
	fd = bpf(BPF_PROG_LOAD, &attr);
	return fd < 0 ? -errno : fd;
}

int ctr_cg_devices_bpf(const struct hier *h, const struct ctr_resources *res)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_close_ int cgfd = -1, prog = -1;
	uint32_t ids[64];
	union bpf_attr attr;
	uint32_t count = 0;
	int r;

	if (asprintf(&dir, "%s%s", h->mount, h->path) < 0)
		return -ENOMEM;
	cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return -errno;
	r = load_program(res);
	if (r < 0)
		return r;
	prog = r;

	/* The programs attached now (ours from before, on a live change). */
	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t)cgfd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
	attr.query.prog_cnt = ARRAY_SIZE(ids);
	if (bpf(BPF_PROG_QUERY, &attr) == 0)
		count = attr.query.prog_cnt;

	/* The new program first, then the old ones go: with several attached,
	 * all must allow, so the change never opens more than either list. */
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgfd;
	attr.attach_bpf_fd = (uint32_t)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (bpf(BPF_PROG_ATTACH, &attr) < 0)
		return -errno;
	for (uint32_t i = 0; i < count && i < ARRAY_SIZE(ids); i++) {
		_cleanup_close_ int old = -1;

		memset(&attr, 0, sizeof(attr));
		attr.prog_id = ids[i];
		old = bpf(BPF_PROG_GET_FD_BY_ID, &attr);
		if (old < 0)
			continue;
		memset(&attr, 0, sizeof(attr));
		attr.target_fd = (uint32_t)cgfd;
		attr.attach_bpf_fd = (uint32_t)old;
		attr.attach_type = BPF_CGROUP_DEVICE;
		bpf(BPF_PROG_DETACH, &attr);
	}
	return 0;
}
