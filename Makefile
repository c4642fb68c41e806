# ctxmgr -- build, test, fuzz, bench and install.
#
#   make                    build build/ctxmgr
#   make check              install deps, build, run every test (also under
#                           ASan/UBSan); SANITIZE=... runs only that variant
#   make demo               install deps, build, run the sandbox demo
#   make bench              benchmarks against the Docker CLI and OpenSSH
#   make fuzz               libFuzzer harnesses (FUZZ_TIME seconds each)
#   make install PREFIX=... binary, man page and completions

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

MODULES := common tunnel keystore audit ctxmgr
INCLUDES := $(addprefix -I,$(MODULES))

# libssh2 >= 1.11: the system's, or Debian's 1.11 built by scripts/build-libssh2
LIBSSH2_LOCAL := $(DEPS)/libssh2
LIBSSH2_ENV := $(DEPS)/libssh2.env
ifneq ($(wildcard $(LIBSSH2_LOCAL)/lib/libssh2.a),)
LIBSSH2_CFLAGS := -I$(LIBSSH2_LOCAL)/include
LIBSSH2_LIBS := $(LIBSSH2_LOCAL)/lib/libssh2.a
else
LIBSSH2_CFLAGS := $(shell $(PKG_CONFIG) --cflags libssh2 2>/dev/null)
LIBSSH2_LIBS := $(shell $(PKG_CONFIG) --libs libssh2 2>/dev/null)
endif

PKGS := openssl jansson yaml-0.1 readline
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# libcrypto, libssl, jansson and libyaml are linked statically (Debian's
# libzxcvbn.a is not position-independent, so zxcvbn stays dynamic):
# resolving libcrypto's symbols at every start cost about 0.3 ms, which
# matters for `ctxmgr prompt` on every shell prompt (docs/ARCHITECTURE.md).
# STATIC_LIBS=0 links them dynamically.
STATIC_LIBS ?= 1
ifeq ($(STATIC_LIBS),1)
PKG_LIBS := -Wl,-Bstatic -lssl -lcrypto -ljansson -lyaml \
	-Wl,-Bdynamic -lzxcvbn -lreadline -ldl -lpthread
else
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lzxcvbn
endif

CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat=2 \
	-Wno-format-nonliteral -Wno-format-truncation \
	-Wno-missing-field-initializers $(WERROR) $(CFLAGS) $(SAN_FLAGS) $(INCLUDES) \
	$(LIBSSH2_CFLAGS) $(PKG_CFLAGS)
LIBS := $(LIBSSH2_LIBS) $(PKG_LIBS) -lm
ALL_LDFLAGS := $(LDFLAGS) $(SAN_FLAGS)

LIB_SRCS := $(sort $(wildcard common/*.c tunnel/*.c keystore/*.c audit/*.c) \
	$(filter-out ctxmgr/main.c,$(wildcard ctxmgr/*.c)))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ := $(BUILD)/obj/ctxmgr/main.o
LIBRARY := $(BUILD)/libctxmgr.a
BIN := $(BUILD)/ctxmgr

UNIT_SRCS := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz-*.c))
FUZZ_NAMES ?= $(FUZZ_SRCS:tests/fuzz/%.c=%)
FUZZ_REGRESS_BINS := $(FUZZ_NAMES:%=$(BUILD)/fuzz-regress/%)

.PHONY: all deps check check-one unit integration fuzz-regress fuzz demo \
	bench install format format-check clean distclean

all: $(BIN)

deps:
	@scripts/install-deps $(DEPS)

$(LIBSSH2_ENV):
	@scripts/build-libssh2 $(DEPS)

$(BUILD)/obj/%.o: %.c $(LIBSSH2_ENV)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIBRARY): $(LIB_OBJS)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(BIN): $(MAIN_OBJ) $(LIBRARY)
	@[ "$(V)" = 1 ] || echo "  LINK    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(MAIN_OBJ) $(LIBRARY) $(LIBS)
	@echo "built $@ with $$(cat $(LIBSSH2_ENV))"

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(LIBRARY)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIBRARY) $(LIBS) \
		$(ALL_LDFLAGS) $$($(PKG_CONFIG) --libs cmocka)

$(BUILD)/fuzz-regress/%: tests/fuzz/%.c tests/fuzz/regress-main.c $(LIBRARY)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< tests/fuzz/regress-main.c $(LIBRARY) \
		$(LIBS) $(ALL_LDFLAGS)

unit: $(UNIT_BINS)
	@tests/run-unit $(UNIT_BINS)

fuzz-regress: $(FUZZ_REGRESS_BINS)
	@tests/run-fuzz-regress $(BUILD)/fuzz-regress $(FUZZ_NAMES)

integration: $(BIN)
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
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 \
	-fsanitize=fuzzer-no-link,address,undefined $(INCLUDES) \
	$(LIBSSH2_CFLAGS) $(PKG_CFLAGS)
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o)

$(FUZZ_BUILD)/obj/%.o: %.c $(LIBSSH2_ENV)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CLANG   $<"
	$(Q)clang $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/%: tests/fuzz/%.c $(FUZZ_LIB_OBJS)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< \
		$(FUZZ_LIB_OBJS) $(LIBS)

fuzz: $(FUZZ_NAMES:%=$(FUZZ_BUILD)/%)
	@tests/run-fuzz $(FUZZ_BUILD) $(FUZZ_TIME) $(FUZZ_NAMES)

demo: deps $(BIN)
	@CTXMGR=$(CURDIR)/$(BIN) scripts/demo

bench: deps $(BIN)
	@CTXMGR=$(CURDIR)/$(BIN) bench/run

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/ctxmgr

FORMAT_SRCS = $(wildcard common/*.[ch] tunnel/*.[ch] keystore/*.[ch] \
	audit/*.[ch] ctxmgr/*.[ch] tests/unit/*.[ch] tests/fuzz/*.[ch] \
	bench/*.[ch] tests/lib/*.[ch])

format:
	clang-format -i $(FORMAT_SRCS)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_SRCS) && \
		echo "format-check: tree is formatted"

clean:
	rm -rf build/obj build/tests build/fuzz-regress build/sanitize \
		build/fuzz build/ctxmgr build/libctxmgr.a

distclean:
	rm -rf build

# keep the fuzz build's objects between runs
.SECONDARY:

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(FUZZ_LIB_OBJS:.o=.d)
