/* SPDX-License-Identifier: GPL-2.0 */
/*
 * commands.h - the sub-commands main.c dispatches to.  Each parses its own
 * options and returns the process exit status.
 */
#ifndef SHMWATCH_COMMANDS_H
#define SHMWATCH_COMMANDS_H

int do_analyze(int argc, char **argv); /* analyze.c */

#endif
