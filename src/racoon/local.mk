# src/racoon/local.mk: build fragment of src/racoon (see Makefile.am); empty until its sources land.
