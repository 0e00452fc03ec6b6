package io.farmgate.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The operator dashboard: one self-contained HTML page (inline CSS and JS), read once from the jar. */
final class DashboardPage {

    private static final String HTML = load();

    private DashboardPage() {
    }

    static String html() {
        return HTML;
    }

    private static String load() {
        try (InputStream in = DashboardPage.class.getResourceAsStream("dashboard.html")) {
            if (in == null) {
                throw new IllegalStateException("dashboard.html missing from the gateway jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dashboard.html", e);
        }
    }
}
