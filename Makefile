# CustomersDot Admin.  `make run` and `make test` are all a newcomer needs;
# see README.md.

CC		?= cc
PORT		?= 8080
SCALE		?= 1000000

KORE_FEATURES	:= $(shell cat /usr/share/kore/features 2>/dev/null)
PKGS		:= jansson liboauth2 libpq openssl libcurl cjose

WARN		:= -Wall -Wextra -Werror -Wstrict-prototypes \
		   -Wmissing-prototypes -Wmissing-declarations -Wshadow \
		   -Wpointer-arith -Wformat=2
CFLAGS_BASE	:= -std=c11 -D_GNU_SOURCE -fPIC $(WARN) $(KORE_FEATURES) \
		   $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -Iapp
LIBS		:= $(shell pkg-config --libs $(PKGS) 2>/dev/null)
SANITIZE	:= -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer

# The module: app/ and its folders but the outbox worker's own.
SRC		:= $(filter-out app/outbox/%,$(wildcard app/*.c app/*/*.c))
HDR		:= $(wildcard app/*.h app/*/*.h)
OBJ		:= $(SRC:app/%.c=build/obj/%.o)
ASAN_OBJ	:= $(SRC:app/%.c=build/asan/%.o)

# Sources that do not depend on Kore, unit-tested on their own.
UNIT_SRC	:= $(wildcard app/lib/*.c) app/auth/marks.c \
		   app/outbox/backoff.c app/outbox/mail.c app/clients/gitlab.c \
		   app/search/keys.c

# The outbox worker: a program of its own (libpq, libcurl, jansson).
OUTBOX_SRC	:= $(wildcard app/outbox/*.c) $(wildcard app/clients/*.c) \
		   app/lib/config.c app/lib/httpc.c app/lib/pem.c \
		   app/lib/license_file.c app/lib/validate.c
OUTBOX_LIBS	:= $(shell pkg-config --libs libpq libcurl jansson cjose \
		   openssl 2>/dev/null)
UNIT_TESTS	:= $(wildcard tests/unit/*.c)

.PHONY: all deps keys run test test-unit migrate demo seed-scale bench clean

all: build/app.so build/cdot-outbox

build/obj/%.o: app/%.c $(HDR)
	@mkdir -p $(@D)
	@echo "CC $<"
	@$(CC) $(CFLAGS_BASE) -O2 -g -c $< -o $@

build/app.so: $(OBJ)
	@echo "LD $@"
	@$(CC) -shared $(OBJ) $(LIBS) -o $@

# The same module built with AddressSanitizer and UBSan, for the tests.
build/asan/%.o: app/%.c $(HDR)
	@mkdir -p $(@D)
	@echo "CC $< (sanitizers)"
	@$(CC) $(CFLAGS_BASE) -O1 -g $(SANITIZE) -c $< -o $@

build/asan/app.so: $(ASAN_OBJ)
	@echo "LD $@"
	@$(CC) -shared $(SANITIZE) $(ASAN_OBJ) $(LIBS) -o $@

build/cdot-outbox: $(OUTBOX_SRC) $(HDR) $(wildcard app/outbox/*.h)
	@mkdir -p $(@D)
	@echo "LD $@"
	@$(CC) $(CFLAGS_BASE) -O2 -g $(OUTBOX_SRC) \
	    $(OUTBOX_LIBS) -o $@

build/unit_tests: $(UNIT_SRC) $(UNIT_TESTS) $(wildcard tests/unit/*.h) $(HDR)
	@mkdir -p $(@D)
	@echo "LD $@"
	@$(CC) $(CFLAGS_BASE) -O1 -g $(SANITIZE) \
	    $(shell pkg-config --cflags check) $(UNIT_SRC) \
	    $(UNIT_TESTS) \
	    $(shell pkg-config --libs jansson check cjose libcurl openssl) \
	    -o $@

# Installs whatever is missing (Debian and npm packages); quick when
# nothing is.
deps:
	@conf/dev/deps.sh

# A development key pair for signing licenses (var/keys, git-ignored),
# made when missing; production keys come from the configuration.  `run`
# and `test` make it in their own scripts.
keys:
	@conf/dev/keys.sh var/keys

run: deps
	@$(MAKE) --no-print-directory build/app.so build/cdot-outbox
	@PORT=$(PORT) conf/dev/run.sh

test: deps
	@$(MAKE) --no-print-directory build/app.so build/asan/app.so \
	    build/unit_tests build/cdot-outbox
	@tests/run.sh

test-unit: build/unit_tests
	@build/unit_tests

migrate:
	@sql/migrate.sh

demo:
	@psql -v ON_ERROR_STOP=1 -q -f sql/demo.sql

seed-scale:
	@sql/seed_scale.sh $(SCALE)
	@[ -z "$(SEAT_LINKS)" ] || sql/seed_seat_links.sh $(SEAT_LINKS)

# Figures on production-scale data; see tests/bench/RESULTS.md.
bench: deps keys build/app.so
	@SCALE=$(SCALE) tests/bench/run.sh

clean:
	rm -rf build
