"""Open Contracting Data Standard (OCDS 1.1) export of every tender: releases, records, packages."""
