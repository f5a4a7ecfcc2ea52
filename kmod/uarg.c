// SPDX-License-Identifier: GPL-2.0
/*
 * Copying ioctl arguments: every argument struct begins with __u32 size and
 * __u32 flags, and is copied with copy_struct_from_user() rules.
 */
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "hvmem_internal.h"

/**
 * hvmem_check_arg_size() - validate the size a caller gave for a struct
 * @usize: the struct's size field as the caller set it
 * @ver0_size: size of the first published version of the struct
 *
 * Return: 0, -EINVAL when @usize is below the first version, -E2BIG when it
 * is larger than a page (no struct will ever be).
 */
int hvmem_check_arg_size(u32 usize, size_t ver0_size)
{
	if (usize < ver0_size)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hvmem_check_arg_size);

/**
 * hvmem_copy_arg_from_user() - copy a size-versioned ioctl argument in
 * @karg: the kernel's struct
 * @ksize: sizeof(*@karg)
 * @ver0_size: size of the struct's first version (at least 8: size, flags)
 * @uarg: user pointer to the struct
 *
 * Reads the struct's leading __u32 size, checks it and copies the struct
 * with copy_struct_from_user(): a shorter struct is zero-extended, a longer
 * one must have zeros past @ksize. @karg's size field is then set to the
 * smaller of the two sizes, so hvmem_copy_arg_to_user() writes back only
 * what both sides know.
 *
 * Return: 0, -EFAULT, -EINVAL (size below @ver0_size) or -E2BIG (size too
 * large, or non-zero bytes the kernel does not know).
 */
int hvmem_copy_arg_from_user(void *karg, size_t ksize, size_t ver0_size,
			     const void __user *uarg)
{
	u32 usize;
	int ret;

	if (get_user(usize, (const u32 __user *)uarg))
		return -EFAULT;
	ret = hvmem_check_arg_size(usize, ver0_size);
	if (ret)
		return ret;
	ret = copy_struct_from_user(karg, ksize, uarg, usize);
	if (ret)
		return ret;
	*(u32 *)karg = min_t(u32, usize, ksize);
	return 0;
}
EXPORT_SYMBOL_GPL(hvmem_copy_arg_from_user);

/**
 * hvmem_copy_arg_to_user() - copy an ioctl argument back out
 * @uarg: user pointer the struct came from
 * @karg: the kernel's struct, as filled by hvmem_copy_arg_from_user()
 * @ksize: sizeof(*@karg)
 *
 * Writes min(caller's size, @ksize) bytes, so an older caller gets only the
 * fields it knows.
 *
 * Return: 0 or -EFAULT.
 */
int hvmem_copy_arg_to_user(void __user *uarg, const void *karg, size_t ksize)
{
	size_t n = min_t(size_t, *(const u32 *)karg, ksize);

	return copy_to_user(uarg, karg, n) ? -EFAULT : 0;
}
EXPORT_SYMBOL_GPL(hvmem_copy_arg_to_user);

/**
 * hvmem_check_entry_size() - validate the stride of an array argument
 * @entry_size: the element size the caller gave (its sizeof)
 * @ver0_size: the element's *_SIZE_VER0
 *
 * Return: 0, or -EINVAL when @entry_size is below @ver0_size or above a page.
 */
int hvmem_check_entry_size(u32 entry_size, size_t ver0_size)
{
	return entry_size < ver0_size || entry_size > PAGE_SIZE ? -EINVAL : 0;
}
EXPORT_SYMBOL_GPL(hvmem_check_entry_size);

/**
 * hvmem_copy_entry_from_user() - read one element of an array argument
 * @kent: the kernel's element
 * @ksize: sizeof(*@kent)
 * @uent: user pointer to the element
 * @entry_size: the caller's element size, checked by hvmem_check_entry_size()
 *
 * copy_struct_from_user() rules: a shorter element is zero-extended, a longer
 * one must be zero past @ksize.
 *
 * Return: 0, -EFAULT or -E2BIG.
 */
int hvmem_copy_entry_from_user(void *kent, size_t ksize, const void __user *uent,
			       u32 entry_size)
{
	return copy_struct_from_user(kent, ksize, uent, entry_size);
}
EXPORT_SYMBOL_GPL(hvmem_copy_entry_from_user);

/**
 * hvmem_copy_entry_to_user() - write one element of an array argument
 * @uent: user pointer to the element
 * @entry_size: the caller's element size, checked by hvmem_check_entry_size()
 * @kent: the kernel's element
 * @ksize: sizeof(*@kent)
 *
 * Writes min(@entry_size, @ksize) bytes and zero-fills the rest of the
 * caller's element.
 *
 * Return: 0 or -EFAULT.
 */
int hvmem_copy_entry_to_user(void __user *uent, u32 entry_size, const void *kent,
			     size_t ksize)
{
	size_t n = min_t(size_t, entry_size, ksize);

	if (copy_to_user(uent, kent, n))
		return -EFAULT;
	if (entry_size > n && clear_user((u8 __user *)uent + n, entry_size - n))
		return -EFAULT;
	return 0;
}
EXPORT_SYMBOL_GPL(hvmem_copy_entry_to_user);
