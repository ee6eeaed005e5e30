"""The loaded graph behind one interface: in memory, an on-disk snapshot, or a remote SPARQL server; and the builder
that parses, reasons, snapshots, reopens or connects."""
