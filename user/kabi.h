/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kabi.h - the kernel's constants that both the BPF programs and the
 * userspace need, defined once.  The BPF side has no libc headers and
 * the userspace must not depend on which libc defines what, so each is
 * spelt K_<the kernel's name> with the kernel's value (x86-64 where an
 * architecture matters).
 */
#ifndef SW_KABI_H
#define SW_KABI_H

/* mmap(2), mremap(2) */
#define K_PROT_NONE		0x0
#define K_MAP_SHARED		0x01
#define K_MAP_SHARED_VALIDATE	0x03
#define K_MAP_FIXED		0x10
#define K_MAP_ANONYMOUS		0x20
#define K_MAP_NORESERVE		0x4000
#define K_MAP_HUGETLB		0x40000
#define K_MREMAP_FIXED		2
#define K_MREMAP_DONTUNMAP	4

/* SysV shared memory */
#define K_IPC_PRIVATE		0
#define K_IPC_CREAT		01000
#define K_IPC_EXCL		02000
#define K_IPC_RMID		0
#define K_IPC_64		0x100
#define K_SHM_REMAP		040000
#define K_SHM_HUGETLB		04000
#define K_SHMMIN		1	/* bytes; a fixed limit, no sysctl */
#define K_SHM_DEST		01000	/* shm_perm.mode: IPC_RMID done, waiting for the last detach */

/* signals */
#define K_SIGBUS		7
#define K_SIGSEGV		11
#define K_BUS_ADRERR		2 /* si_code of a SIGBUS for a page a mapping cannot provide */
#define K_SEGV_MAPERR		1

/* open(2), unlinkat(2) */
#define K_O_CREAT		0100
#define K_O_TRUNC		01000
#define K_AT_REMOVEDIR		0x200

/* the kernel's internals that the records expose */
#define K_TMPFS_MAGIC		0x01021994
#define K_HUGETLBFS_MAGIC	0x958458f6
#define K_VM_EXEC		0x00000004
#define K_VM_SHARED		0x00000008
#define K_VM_MAYSHARE		0x00000080
#define K_VM_HUGETLB		0x00400000
#define K_MNT_INTERNAL		0x4000
#define K_FMODE_CREATED		0x100000 /* f_mode: this open created the file */
#define K_PF_KTHREAD		0x00200000
#define K_MAX_ERRNO		4095
#define K_ENOENT		2
#define K_ENOSPC		28
#define K_PAGE_SHIFT		12
#define K_PROC_IPC_INIT_INO	0xEFFFFFFFU /* the initial IPC namespace's inode */

#endif
