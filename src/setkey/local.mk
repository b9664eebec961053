# src/setkey/local.mk: build fragment of src/setkey (see Makefile.am); empty until its sources land.
