/* The capsule machine's buses and interrupt routing, as data for the MP table. */
#ifndef FW_BOARD_H
#define FW_BOARD_H

#include "mptable.h"

/* Points layout at the machine's bus and IRQ tables (read-only, in ROM). */
void board_mp_layout(struct mp_layout *layout);

#endif
