// SPDX-License-Identifier: GPL-2.0
/*
 * A 32-bit process for share_inject_test (refuses_32bit): pause() forever.
 * Built with gcc -m32 -nostdlib (no 32-bit libc needed).
 */
void _start(void)
{
	for (;;)
		__asm__ volatile("int $0x80" : : "a"(29) : "memory");	/* pause() */
}
