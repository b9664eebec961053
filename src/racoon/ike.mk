# src/racoon/ike.mk: build fragment of src/racoon (see Makefile.am); empty until its sources land.
