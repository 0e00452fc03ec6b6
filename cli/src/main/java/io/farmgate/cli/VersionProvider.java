package io.farmgate.cli;

import picocli.CommandLine;

/** Reads farmgate's version from the jar manifest (falls back to "dev" when run from classes). */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String v = Farmgate.class.getPackage().getImplementationVersion();
        return new String[] {"farmgate " + (v == null ? "dev" : v)};
    }
}
