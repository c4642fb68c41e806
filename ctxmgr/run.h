/*
 * run.h: the whole program behind main(), shared by the two binaries:
 * build/ctxmgr-full (every command) and the front binary build/ctxmgr
 * (ctxmgr/front/), which runs the store's hot commands itself and hands
 * everything else to the full one.
 */
#ifndef CTXMGR_RUN_H
#define CTXMGR_RUN_H

/* Run the command line argv[1..]; returns the exit status. */
int ctxmgr_run(int argc, char **argv);

#endif
