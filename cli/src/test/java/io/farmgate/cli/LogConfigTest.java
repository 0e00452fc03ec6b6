package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.net.URL;
import org.junit.jupiter.api.Test;

/** The shipped logback.xml: what it keeps out of the log whatever an operator turns up. */
class LogConfigTest {

    @Test
    void jettyHeaderDumpStaysOffWhenJettyIsTurnedUpToDebug() throws Exception {
        URL shipped = LogConfigTest.class.getClassLoader().getResource("logback.xml");
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(shipped);

        context.getLogger("org.eclipse.jetty").setLevel(Level.DEBUG);

        // Its DEBUG lines carry every request header, the admin bearer token included.
        assertThat(context.getLogger("org.eclipse.jetty.http.HttpParser").isDebugEnabled()).isFalse();
        assertThat(context.getLogger("org.eclipse.jetty.server").isDebugEnabled()).isTrue();
        context.stop();
    }
}
