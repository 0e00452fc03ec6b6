package io.farmgate.gateway;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The operator dashboard on the admin listener: the page, its script, and the charting library
 * (uPlot, MIT, from its WebJar on the classpath), all read once from the jar. Nothing is loaded from
 * elsewhere, and the page's Content-Security-Policy says so. The page holds no farm data; it asks for
 * the admin token and then calls {@code /v1/}.
 */
final class DashboardPage {

    /** The uPlot WebJar's version, from its own Maven metadata, so the path below follows the dependency. */
    static final String UPLOT_VERSION = uplotVersion();
    private static final String UPLOT_DIR = "/META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/";
    /** Versioned paths: a new uPlot is a new URL, so browsers may keep these for good. */
    static final String UPLOT_JS_PATH = "/dashboard/uplot-" + UPLOT_VERSION + ".min.js";
    static final String UPLOT_CSS_PATH = "/dashboard/uplot-" + UPLOT_VERSION + ".min.css";
    static final String UPLOT_LICENSE_PATH = "/dashboard/uplot-" + UPLOT_VERSION + ".LICENSE.txt";
    static final String SCRIPT_PATH = "/dashboard/dashboard.js";

    private static final String HTML = text(DashboardPage.class, "dashboard.html")
            .replace("{{UPLOT_JS}}", UPLOT_JS_PATH).replace("{{UPLOT_CSS}}", UPLOT_CSS_PATH)
            .replace("{{UPLOT_LICENSE}}", UPLOT_LICENSE_PATH).replace("{{SCRIPT}}", SCRIPT_PATH);
    private static final String SCRIPT = text(DashboardPage.class, "dashboard.js");
    private static final byte[] UPLOT_JS = bytes(UPLOT_DIR + "dist/uPlot.iife.min.js");
    private static final byte[] UPLOT_CSS = bytes(UPLOT_DIR + "dist/uPlot.min.css");
    private static final byte[] UPLOT_LICENSE = bytes(UPLOT_DIR + "LICENSE");

    /** Scripts and styles only from this listener; inline styles stay allowed (uPlot sizes its elements). */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; "
            + "style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src data:; frame-ancestors 'none'; "
            + "base-uri 'none'; form-action 'none'";
    private static final String CACHE_FOREVER = "public, max-age=31536000, immutable";

    private DashboardPage() {
    }

    static String html() {
        return HTML;
    }

    /** The page and its assets; none needs the token. */
    static void routes(RoutesConfig routes) {
        routes.get("/dashboard", ctx -> serve(ctx, "text/html; charset=utf-8", "no-store")
                .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "no-referrer")
                .result(HTML));
        routes.get(SCRIPT_PATH, ctx -> serve(ctx, "text/javascript; charset=utf-8", "no-store").result(SCRIPT));
        routes.get(UPLOT_JS_PATH, ctx -> serve(ctx, "text/javascript; charset=utf-8", CACHE_FOREVER).result(UPLOT_JS));
        routes.get(UPLOT_CSS_PATH, ctx -> serve(ctx, "text/css; charset=utf-8", CACHE_FOREVER).result(UPLOT_CSS));
        routes.get(UPLOT_LICENSE_PATH, ctx -> serve(ctx, "text/plain; charset=utf-8", CACHE_FOREVER)
                .result(UPLOT_LICENSE));
    }

    private static Context serve(Context ctx, String contentType, String cacheControl) {
        return ctx.status(200).contentType(contentType).header("Cache-Control", cacheControl)
                .header("X-Content-Type-Options", "nosniff");
    }

    private static String uplotVersion() {
        Properties p = new Properties();
        try (InputStream in = open("/META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read uPlot's pom.properties", e);
        }
        String version = p.getProperty("version");
        if (version == null || !version.matches("[0-9A-Za-z.-]{1,32}")) {
            throw new IllegalStateException("uPlot WebJar: no usable version in its pom.properties: " + version);
        }
        return version;
    }

    private static String text(Class<?> near, String name) {
        try (InputStream in = near.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " missing from the gateway jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }

    private static byte[] bytes(String resource) {
        try (InputStream in = open(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    private static InputStream open(String resource) {
        InputStream in = DashboardPage.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException(resource + " missing from the classpath (the org.webjars.npm:uplot "
                    + "dependency of the gateway)");
        }
        return in;
    }
}
