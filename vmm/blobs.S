/* The firmware, kernel, initrd and default config built into the capsule binary. */
/* The Makefile passes each path as a -D define; see blobs.h for the symbols. */
	.section .rodata.blobs, "a"

	.balign 4096
	.global blob_firmware_start, blob_firmware_end
blob_firmware_start:
	.incbin FIRMWARE_PATH
blob_firmware_end:

	.balign 4096
	.global blob_kernel_start, blob_kernel_end
blob_kernel_start:
	.incbin KERNEL_PATH
blob_kernel_end:

	.balign 4096
	.global blob_initrd_start, blob_initrd_end
blob_initrd_start:
	.incbin INITRD_PATH
blob_initrd_end:

	.global blob_default_conf_start
blob_default_conf_start:
	.incbin DEFAULT_CONF_PATH
	.byte 0

	.section .note.GNU-stack, "", @progbits
