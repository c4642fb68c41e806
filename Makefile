# ctxmgr -- build, test, fuzz, bench and install.
#
#   make                    build build/ctxmgr (and build/ctxmgr-full)
#   make check              install deps, build, run every test (also under
#                           ASan/UBSan); SANITIZE=... runs only that variant
#   make demo               install deps, build, run the sandbox demo
#   make bench              benchmarks against the Docker CLI and OpenSSH
#   make fuzz               libFuzzer harnesses (FUZZ_TIME seconds each)
#   make install PREFIX=... binary, man page and completions
#   make completions        regenerate completions/ and docs/ctxmgr.1 from
#                           the command table (a test checks they match)

CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
FUZZ_TIME ?= 20
WERROR ?= -Werror
PKG_CONFIG ?= pkg-config

V ?= 0
ifeq ($(V),1)
Q :=
else
Q := @
endif

DEPS := build/deps
ifdef SANITIZE
BUILD ?= build/sanitize
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD ?= build
SAN_FLAGS :=
endif

# Includes name their folder (#include "store/store.h"), so every
# dependency between folders shows in the source.
MODULES := common store tunnel keystore audit ctxmgr
INCLUDES := -I.

# libssh2 >= 1.11: the system's, or Debian's 1.11 built by scripts/build-libssh2
LIBSSH2_LOCAL := $(DEPS)/libssh2
LIBSSH2_ENV := $(DEPS)/libssh2.env
# decided when used (recursive =), so the first `make`, which builds the
# local libssh2 before compiling, finds it
LIBSSH2_HAVE_LOCAL = $(wildcard $(LIBSSH2_LOCAL)/lib/libssh2.a)
LIBSSH2_CFLAGS = $(if $(LIBSSH2_HAVE_LOCAL),-I$(LIBSSH2_LOCAL)/include,$(shell $(PKG_CONFIG) --cflags libssh2 2>/dev/null))
LIBSSH2_LIBS = $(if $(LIBSSH2_HAVE_LOCAL),$(LIBSSH2_LOCAL)/lib/libssh2.a,$(shell $(PKG_CONFIG) --libs libssh2 2>/dev/null))

PKGS := openssl jansson yaml-0.1 readline
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# System libraries are linked dynamically, as Debian packages do, so a
# security update of OpenSSL reaches ctxmgr without a rebuild.  Only
# libssh2 1.11, which Debian 12 does not ship, may be a local static one.
# Our symbols stay out of the dynamic table (--exclude-libs), so that
# readline keeps its own xmalloc rather than binding to ours.
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lzxcvbn \
	-Wl,--exclude-libs,ALL
# The front (use, show, prompt, ls on every shell prompt) links its two
# small parsers statically and so loads libc only; STATIC_FRONT=0 links
# them dynamically (about 0.05-0.1 ms more per run, perf stat).
STATIC_FRONT ?= 1
ifeq ($(STATIC_FRONT),1)
FRONT_LIBS := -Wl,-Bstatic -ljansson -lyaml -Wl,-Bdynamic -lm
else
FRONT_LIBS := $(shell $(PKG_CONFIG) --libs jansson yaml-0.1 2>/dev/null) -lm
endif

CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat=2 \
	-Wno-format-nonliteral -Wno-format-truncation \
	-Wno-missing-field-initializers $(WERROR) $(CFLAGS) $(SAN_FLAGS) $(INCLUDES) \
	$(LIBSSH2_CFLAGS) $(PKG_CFLAGS)
LIBS = $(LIBSSH2_LIBS) $(PKG_LIBS) -lm
ALL_LDFLAGS := $(LDFLAGS) $(SAN_FLAGS)

LIB_SRCS := $(sort $(wildcard common/*.c store/*.c tunnel/*.c keystore/*.c \
	audit/*.c) \
	$(filter-out ctxmgr/main.c,$(wildcard ctxmgr/*.c)))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ := $(BUILD)/obj/ctxmgr/main.o
FRONT_OBJ := $(BUILD)/obj/ctxmgr/front/front.o
LIBRARY := $(BUILD)/libctxmgr.a
# Two binaries (docs/ARCHITECTURE.md): ctxmgr, the front users run, which
# runs ls/use/show/prompt itself and links only the store; and
# ctxmgr-full, every command, which the front execs for the rest.
BIN := $(BUILD)/ctxmgr
FULL_BIN := $(BUILD)/ctxmgr-full

UNIT_SRCS := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRCS := $(sort $(wildcard tests/helpers/*.c))
HELPER_BINS := $(HELPER_SRCS:tests/helpers/%.c=$(BUILD)/tests/helpers/%)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz-*.c))
FUZZ_NAMES ?= $(FUZZ_SRCS:tests/fuzz/%.c=%)
FUZZ_REGRESS_BINS := $(FUZZ_NAMES:%=$(BUILD)/fuzz-regress/%)

.PHONY: all deps check check-one unit integration fuzz-regress fuzz demo \
	bench install install-files completions format format-check clean \
	distclean

all: $(BIN) $(FULL_BIN)

deps:
	@scripts/install-deps $(DEPS)

# rebuilt when the patch set changes (the script checks the set's hash)
$(LIBSSH2_ENV): scripts/build-libssh2 $(wildcard scripts/libssh2-patches/*.patch)
	@scripts/build-libssh2 $(DEPS)

$(BUILD)/obj/%.o: %.c $(LIBSSH2_ENV)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIBRARY): $(LIB_OBJS)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(FULL_BIN): $(MAIN_OBJ) $(LIBRARY)
	@[ "$(V)" = 1 ] || echo "  LINK    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(MAIN_OBJ) $(LIBRARY) $(LIBS)
	@echo "built $@ with $$(cat $(LIBSSH2_ENV))"

# The front links no OpenSSL, libssh2, readline or zxcvbn: if a change
# makes its commands need them, this link fails rather than slowing them.
$(BIN): $(FRONT_OBJ) $(LIBRARY) $(FULL_BIN)
	@[ "$(V)" = 1 ] || echo "  LINK    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(FRONT_OBJ) $(LIBRARY) $(FRONT_LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(LIBRARY)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIBRARY) $(LIBS) \
		$(ALL_LDFLAGS) $$($(PKG_CONFIG) --libs cmocka)

# Programs the integration tests run (found next to the ctxmgr binary).
$(BUILD)/tests/helpers/%: tests/helpers/%.c $(LIBRARY)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBRARY) $(LIBS) $(ALL_LDFLAGS)

$(BUILD)/fuzz-regress/%: tests/fuzz/%.c tests/fuzz/regress-main.c $(LIBRARY)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< tests/fuzz/regress-main.c $(LIBRARY) \
		$(LIBS) $(ALL_LDFLAGS)

unit: $(UNIT_BINS)
	@tests/run-unit $(UNIT_BINS)

fuzz-regress: $(FUZZ_REGRESS_BINS)
	@tests/run-fuzz-regress $(BUILD)/fuzz-regress $(FUZZ_NAMES)

integration: $(BIN) $(HELPER_BINS)
	@CTXMGR=$(CURDIR)/$(BIN) tests/run-integration

# One variant: the unit tests, the fuzz corpora and the integration suite.
check-one: $(BIN) unit fuzz-regress integration

ifdef SANITIZE
check: deps
	@$(MAKE) --no-print-directory check-one SANITIZE=$(SANITIZE)
else
check: deps format-check
	@$(MAKE) --no-print-directory check-one
	@$(MAKE) --no-print-directory check-one SANITIZE=address,undefined
endif

# libFuzzer: clang, ASan+UBSan, FUZZ_TIME seconds per harness.
FUZZ_BUILD := build/fuzz
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 \
	-fsanitize=fuzzer-no-link,address,undefined $(INCLUDES) \
	$(LIBSSH2_CFLAGS) $(PKG_CFLAGS)
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o)

$(FUZZ_BUILD)/obj/%.o: %.c $(LIBSSH2_ENV)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CLANG   $<"
	$(Q)clang $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

# Without --exclude-libs: clang links the ASan runtime statically, and
# hiding its symbols left jansson and glibc (json_dumps, vasprintf) on
# glibc's malloc, whose blocks ASan's free then refused.
comma := ,
FUZZ_LIBS = $(filter-out -Wl$(comma)--exclude-libs$(comma)ALL,$(LIBS))

$(FUZZ_BUILD)/%: tests/fuzz/%.c $(FUZZ_LIB_OBJS)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< \
		$(FUZZ_LIB_OBJS) $(FUZZ_LIBS)

fuzz: $(FUZZ_NAMES:%=$(FUZZ_BUILD)/%)
	@tests/run-fuzz $(FUZZ_BUILD) $(FUZZ_TIME) $(FUZZ_NAMES)

demo: deps $(BIN)
	@CTXMGR=$(CURDIR)/$(BIN) scripts/demo

bench: deps $(BIN)
	@CTXMGR=$(CURDIR)/$(BIN) bench/run

# The generated files, written by the binary from its command table.
GENERATED := completions/ctxmgr.bash completions/_ctxmgr \
	completions/ctxmgr.fish docs/ctxmgr.1

completions: $(BIN)
	@mkdir -p completions
	$(Q)$(BIN) completion bash >completions/ctxmgr.bash
	$(Q)$(BIN) completion zsh >completions/_ctxmgr
	$(Q)$(BIN) completion fish >completions/ctxmgr.fish
	$(Q)$(BIN) manpage >docs/ctxmgr.1
	@echo "completions: wrote $(GENERATED)"

install: $(BIN) $(FULL_BIN)
	@$(MAKE) --no-print-directory install-files BIN=$(BIN)

# install without building (the tests install a binary they were given);
# the scripts and the man page come from that binary's own table
SHARE := $(DESTDIR)$(PREFIX)/share
install-files:
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/libexec/ctxmgr \
		$(SHARE)/man/man1 \
		$(SHARE)/bash-completion/completions \
		$(SHARE)/zsh/site-functions $(SHARE)/fish/vendor_completions.d
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/ctxmgr
	install -m 0755 $(dir $(BIN))ctxmgr-full \
		$(DESTDIR)$(PREFIX)/libexec/ctxmgr/ctxmgr-full
	$(BIN) manpage >$(SHARE)/man/man1/ctxmgr.1
	$(BIN) completion bash >$(SHARE)/bash-completion/completions/ctxmgr
	$(BIN) completion zsh >$(SHARE)/zsh/site-functions/_ctxmgr
	$(BIN) completion fish >$(SHARE)/fish/vendor_completions.d/ctxmgr.fish
	chmod 0644 $(SHARE)/man/man1/ctxmgr.1 \
		$(SHARE)/bash-completion/completions/ctxmgr \
		$(SHARE)/zsh/site-functions/_ctxmgr \
		$(SHARE)/fish/vendor_completions.d/ctxmgr.fish

FORMAT_SRCS = $(wildcard common/*.[ch] store/*.[ch] tunnel/*.[ch] keystore/*.[ch] \
	audit/*.[ch] ctxmgr/*.[ch] ctxmgr/front/*.[ch] tests/unit/*.[ch] \
	tests/fuzz/*.[ch] \
	tests/helpers/*.[ch] \
	bench/*.[ch] tests/lib/*.[ch])

format:
	clang-format -i $(FORMAT_SRCS)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_SRCS) && \
		echo "format-check: tree is formatted"

clean:
	rm -rf build/obj build/tests build/fuzz-regress build/sanitize \
		build/fuzz build/ctxmgr build/ctxmgr-full build/libctxmgr.a

distclean:
	rm -rf build

# keep the fuzz build's objects between runs
.SECONDARY:

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(FRONT_OBJ:.o=.d) \
	$(FUZZ_LIB_OBJS:.o=.d)
