# Rules for a kit ROM kept outside this tree (see roms/README.md, "A ROM outside the tree").
#
#   make -C /path/to/emu/roms PROJECT=/path/to/mine [NAME=mine] [EXTRA_CFLAGS=-O0] [all|clean]
#
# builds /path/to/mine/NAME.elf and its flat image NAME.bin (NAME: the directory's name unless
# given) from every *.c (a *_thumb.c file as Thumb code, the others as ARM) and *.S file in that
# directory, linked with the kit (kit/rules.mk) as the demos are.  roms/Makefile includes this
# file last, when PROJECT is set, and points B at /path/to/mine/build, so every object, the
# kit's too, is compiled there and nothing in this tree changes.  Unlike the committed images
# the ELF keeps its debug information (-g, which changes no code, and no --strip-debug) with
# the sources' absolute paths, for gdb; EXTRA_CFLAGS come last (-O0 makes stepping follow the
# source).  `all` and `clean` then mean this ROM's images and objects only.

P_DIR  := $(abspath $(PROJECT))
NAME   ?= $(notdir $(P_DIR))
P_C    := $(wildcard $(P_DIR)/*.c)
P_S    := $(wildcard $(P_DIR)/*.S)
P_OBJS := $(patsubst $(P_DIR)/%.c,$(B)/src/%.o,$(P_C)) $(patsubst $(P_DIR)/%.S,$(B)/src/%.o,$(P_S))
P_DEPS := $(KIT_DEPS) kit/project.mk $(wildcard $(P_DIR)/*.h)
P_COMMA := ,

ifeq ($(P_C)$(P_S),)
$(error PROJECT=$(PROJECT): no .c or .S files in $(P_DIR))
endif

# The recipes of kit/rules.mk expand these when they run, so the kit's objects get them too.
KIT_CFLAGS  := $(filter-out -g0,$(KIT_CFLAGS)) -g $(EXTRA_CFLAGS)
ASFLAGS     := $(filter-out -g0,$(ASFLAGS)) -g
ROM_LDFLAGS := $(filter-out -Wl$(P_COMMA)--strip-debug,$(ROM_LDFLAGS))

$(B)/src/%_thumb.o: $(P_DIR)/%_thumb.c $(P_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(KIT_CFLAGS) -I$(P_DIR) -mthumb -c $< -o $@

$(B)/src/%.o: $(P_DIR)/%.c $(P_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(KIT_CFLAGS) -I$(P_DIR) -marm -c $< -o $@

$(B)/src/%.o: $(P_DIR)/%.S $(P_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(ASFLAGS) -Ikit -I$(P_DIR) -c $< -o $@

$(eval $(call kit_rom,$(P_DIR)/$(NAME),$(P_OBJS)))

IMAGES := $(P_DIR)/$(NAME).elf $(P_DIR)/$(NAME).bin

.SECONDARY: $(P_OBJS)
