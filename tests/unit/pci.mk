# Unit tests of the PCI bus: config cycles through 0xCF8/0xCFC, BAR sizing and moves, decoding, INTx.
test_pci_SRCS := vmm/pci/pci.c vmm/io_bus.c vmm/log.c
test_pci_LIBS := -lpthread
UNIT_TESTS += test_pci
