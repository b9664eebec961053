# src/ipsecd/local.mk: build fragment of src/ipsecd (see Makefile.am); empty until its sources land.
