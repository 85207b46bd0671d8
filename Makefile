# The two commands of the README. Both install the Debian packages they need first.
SWIFT ?= swift
SITE ?= _site
PROFILE ?= quick
# A folder of real datasets that cannot ship (Location, full MNIST), e.g. DATA_DIR=../shared/data.
DATA_DIR ?=

.PHONY: lessons test test-slurm deps clean check-site fuzz

## Build the course, run every lesson and write the site to $(SITE)/.
lessons: deps
	$(SWIFT) build
	"$$($(SWIFT) build --show-bin-path)/lessons" build --output "$(SITE)" --profile "$(PROFILE)" $(if $(DATA_DIR),--data-dir "$(DATA_DIR)")

## Build everything (failing on any warning) and the fixture course the end-to-end tests edit, then run the
## whole test suite (unit, golden, end-to-end): the fixture course's tests beside the others, two processes.
test: deps
	SWIFT="$(SWIFT)" .ci/build-without-warnings
	Tests/EndToEndTests/Fixtures/lay-out-course . .build-fixtures/course
	cd .build-fixtures/course && $(SWIFT) build  # its lessons misbehave on purpose, so it warns
	$(SWIFT) build --build-tests
	"$$($(SWIFT) build --show-bin-path)/lessons" check --freshness-only  # records the code it holds, outside swift test's lock
	LESSONS_BIN="$$($(SWIFT) build --show-bin-path)/lessons" SWIFT="$(SWIFT)" .ci/run-tests

## The Slurm executor on a one-node Slurm cluster started on loopback (installs Slurm if missing):
## the smoke course for two seeds locally and on Slurm, a task that fails twice, Ctrl-C.
test-slurm: deps
	SWIFT="$(SWIFT)" .ci/test-slurm

deps:
	@.ci/install-deps

## Remove the build folders, and the site if the runner wrote it (it carries .lessons-site).
clean:
	@if [ -e "$(SITE)" ]; then \
	  if [ -f "$(SITE)/.lessons-site" ]; then rm -rf "$(SITE)"; \
	  else echo "Not removing $(SITE): it has no .lessons-site file, so lessons build did not write it."; fi; \
	fi
	rm -rf .build .build-fixtures

## Validate the built site (Nu Html Checker) and render two pages in headless Chromium.
check-site:
	.ci/check-site "$(SITE)"

## Fuzz the lesson parser and tangler with libFuzzer (SECONDS=600).
fuzz:
	.ci/fuzz $(or $(SECONDS),600)
