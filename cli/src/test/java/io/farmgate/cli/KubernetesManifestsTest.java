package io.farmgate.cli;

import static io.farmgate.cli.KubernetesManifests.ROOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.farmgate.testing.ExternalTool;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.farmgate.gateway.ListenAddress;
import io.farmgate.cli.KubernetesManifests.Manifest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine;

/**
 * deploy/kubernetes without a cluster: every manifest reads strictly into fabric8's typed model,
 * every kustomization names files that exist, and every container that runs farmgate runs a real
 * command with real options and environment variables (parsed and validated by the real command
 * line), with its container ports, probes and Services where its listeners really are; where kubectl
 * is installed, the overlay built by {@code kubectl kustomize} passes the same checks. The drain on
 * pod termination runs with real processes in {@link KubernetesPodDrainTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubernetesManifestsTest {

    private static final String BASE_GATEWAY = "base/gateway.yaml";
    private static final String BASE_DNS = "base/dns.yaml";
    private static final String BACKEND = "overlays/example/backend.yaml";

    /** The parsed command object of a farmgate command line (without the leading "farmgate"). */
    private static Object command(List<String> args, Map<String, String> env) {
        CommandLine.ParseResult parsed = Farmgate.commandLine(new ConfigDefaults(env, null)).parseArgs(args.toArray(String[]::new));
        while (parsed.hasSubcommand()) {
            parsed = parsed.subcommand();
        }
        return parsed.commandSpec().userObject();
    }

    private static Object command(Container c) throws IOException {
        return command(KubernetesManifests.args(c), KubernetesManifests.environment(c));
    }

    private static PodSpec pod(Deployment d) {
        return d.getSpec().getTemplate().getSpec();
    }

    private static ContainerPort port(Container c, String name) {
        return c.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + ": no container port named " + name));
    }

    private static boolean selects(LabelSelector selector, Map<String, String> labels) {
        assertThat(selector.getMatchExpressions()).as("only matchLabels are checked here").isNullOrEmpty();
        return selector.getMatchLabels() != null && !selector.getMatchLabels().isEmpty()
                && labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
    }

    private static Map<String, String> podLabels(Deployment d) {
        return d.getSpec().getTemplate().getMetadata().getLabels();
    }

    /** The Deployments (of complete manifests, not patches) whose pods a selector picks. */
    private static List<Deployment> selected(List<Manifest> all, Map<String, String> selector) {
        return KubernetesManifests.ofKind(all, Deployment.class).stream()
                .filter(d -> d.getSpec().getSelector() != null)
                .filter(d -> selects(new LabelSelector(null, selector), podLabels(d))).toList();
    }

    private static void assertHttpProbe(String what, Probe probe, PodSpec pod, String path, int port) {
        assertThat(probe).as(what).isNotNull();
        HTTPGetAction get = probe.getHttpGet();
        assertThat(get).as(what + ": httpGet").isNotNull();
        assertThat(get.getPath()).as(what + ": path").isEqualTo(path);
        assertThat(KubernetesManifests.portNumber(pod, get.getPort())).as(what + ": port").isEqualTo(port);
    }

    /** A listener the kubelet and the Services can reach: every interface of the pod. */
    private static void assertAllInterfaces(String what, ListenAddress at) {
        assertThat(at.host()).as(what + ": %s reachable on the pod's address", at).isIn("0.0.0.0", "::", "");
    }

    // ---- reading ----

    @Test
    void everyManifestReadsStrictlyIntoTheTypedKubernetesModel() throws IOException {
        List<Manifest> all = KubernetesManifests.all();

        Set<String> kinds = new TreeSet<>();
        for (Manifest m : all) {
            assertThat(m.resource().getMetadata().getName()).as(m.where()).isNotBlank();
            kinds.add(m.resource().getKind());
        }
        assertThat(kinds).contains("Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy", "Namespace");
        assertThat(KubernetesManifests.manifestFiles()).extracting(f -> ROOT.relativize(f).toString())
                .contains(BASE_GATEWAY, BASE_DNS, BACKEND, "overlays/example/redis.yaml");
    }

    @Test
    void theStrictReaderRefusesWhatTheApiServerWouldRefuse() throws IOException {
        String good = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: d}}
                  template:
                    metadata: {labels: {app: d}}
                    spec:
                      containers:
                        - name: c
                          image: farmgate:dev
                          env: [{name: A, value: "2"}]
                          ports: [{containerPort: 8080}]
                          resources: {requests: {cpu: 100m, memory: 64Mi}}
                """;
        Deployment d = (Deployment) KubernetesManifests.read(good);
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getRequests().get("cpu"))
                .isEqualTo(new Quantity("100m"));

        assertThatThrownBy(() -> KubernetesManifests.read(good.replace("replicas: 2", "replica: 2")))
                .as("unknown field").hasMessageContaining("replica");
        assertThatThrownBy(() -> KubernetesManifests.read(good.replace("image: farmgate:dev", "image: farmgate:dev\n          imagePulPolicy: Always")))
                .as("unknown field in a container").hasMessageContaining("imagePulPolicy");
        assertThatThrownBy(() -> KubernetesManifests.read(good.replace("replicas: 2", "replicas: two")))
                .as("wrong type").hasMessageContaining("two");
        assertThatThrownBy(() -> KubernetesManifests.read(good.replace("replicas: 2", "replicas: \"2\"")))
                .as("a string for a number").isInstanceOf(IOException.class);
        assertThatThrownBy(() -> KubernetesManifests.read(good.replace("value: \"2\"", "value: 2")))
                .as("a number for a string").isInstanceOf(IOException.class);
        assertThatThrownBy(() -> KubernetesManifests.read(good.replace("replicas: 2", "replicas: 2\n  replicas: 3")))
                .as("duplicate key").hasMessageContaining("replicas");
        assertThatThrownBy(() -> KubernetesManifests.read(good.replace("kind: Deployment", "kind: Deploy")))
                .as("unknown kind").hasMessageContaining("apps/v1/Deploy");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyKustomizationNamesFilesThatExistAndOnlyKnownFields() throws IOException {
        Set<String> known = Set.of("apiVersion", "kind", "namespace", "resources", "patches", "secretGenerator",
                "configMapGenerator", "images", "labels");
        List<Path> kustomizations = KubernetesManifests.kustomizations();
        assertThat(kustomizations).extracting(f -> ROOT.relativize(f).toString())
                .containsExactlyInAnyOrder("base/kustomization.yaml", "overlays/example/kustomization.yaml");
        List<Manifest> all = KubernetesManifests.all();
        for (Path file : kustomizations) {
            Path dir = file.getParent();
            Map<String, Object> k = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
            assertThat(k.keySet()).as(file.toString()).isSubsetOf(known);
            assertThat(k.get("apiVersion")).isEqualTo("kustomize.config.k8s.io/v1beta1");
            assertThat(k.get("kind")).isEqualTo("Kustomization");
            for (String resource : (List<String>) k.get("resources")) {
                Path r = dir.resolve(resource).normalize();
                assertThat(Files.isRegularFile(r) || Files.isRegularFile(r.resolve("kustomization.yaml")))
                        .as("%s: resource %s", file, resource).isTrue();
            }
            for (Map<String, Object> patch : (List<Map<String, Object>>) k.getOrDefault("patches", List.of())) {
                Path p = dir.resolve((String) patch.get("path"));
                assertThat(p).as("%s: patch", file).isRegularFile();
                // A strategic merge patch names what it patches: it must exist in the manifests.
                for (JsonNode doc : KubernetesManifests.documents(p)) {
                    String kind = doc.path("kind").asText();
                    String name = doc.path("metadata").path("name").asText();
                    assertThat(all).as("%s patches %s/%s", p, kind, name).anyMatch(m ->
                            m.file().equals(p) ? false : m.resource().getKind().equals(kind)
                                    && m.resource().getMetadata().getName().equals(name));
                }
            }
            for (Map<String, Object> generator : (List<Map<String, Object>>) k.getOrDefault("secretGenerator", List.of())) {
                for (String env : (List<String>) generator.get("envs")) {
                    // secrets.env is the operator's own; the repository ships its example.
                    Path p = dir.resolve(env);
                    assertThat(Files.isRegularFile(p) || Files.isRegularFile(Path.of(p + ".example")))
                            .as("%s: %s or %s.example", file, env, env).isTrue();
                }
            }
        }
    }

    @Test
    void theSecretTheManifestsReadIsTheOneTheOverlayGeneratesWithEveryKey() throws IOException {
        Set<String> read = new TreeSet<>();
        for (Deployment d : KubernetesManifests.ofKind(KubernetesManifests.all(), Deployment.class)) {
            for (Container c : pod(d).getContainers()) {
                for (EnvVar e : c.getEnv()) {
                    if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                        assertThat(e.getValueFrom().getSecretKeyRef().getName()).as(e.getName()).isEqualTo("farmgate-secrets");
                        read.add(e.getValueFrom().getSecretKeyRef().getKey());
                    }
                }
            }
        }
        assertThat(read).containsExactlyInAnyOrder("redis-uri", "admin-token", "token-secret");
        assertThat(KubernetesManifests.secretsExample().keySet()).containsExactlyInAnyOrderElementsOf(read);
        assertThat(Files.readString(ROOT.resolve("overlays/example/.gitignore")).lines()).contains("secrets.env");
    }

    /** kubectl with kustomize v5: not Debian 12's kubernetes-client (1.20); the Google Cloud SDK's or upstream's. */
    private static final ExternalTool KUBECTL =
            new ExternalTool("kubectl", "kubectl 1.27+ with kustomize v5: Google Cloud SDK or Kubernetes release");

    @Test
    void theOverlayBuiltByKubectlKustomizeIsWhatTheseTestsCheck(@TempDir Path dir) throws Exception {
        Path kubectl = KUBECTL.require();
        Process version = new ProcessBuilder(kubectl.toString(), "version", "--client").redirectErrorStream(true).start();
        String versionText = new String(version.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(version.waitFor(60, TimeUnit.SECONDS)).isTrue();
        // Debian's kubernetes-client (1.20) bundles kustomize v2, which knows neither `labels` nor `patches`.
        assumeThat(versionText).as("kubectl with kustomize v5 or later, not: %s", versionText)
                .containsPattern("Kustomize Version: v([5-9]|\\d\\d)\\.");
        // A copy with secrets.env made from its example, as a user would before applying the overlay.
        Path copy = dir.resolve("kubernetes");
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path f : files.toList()) {
                Path target = copy.resolve(ROOT.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else if (!f.getFileName().toString().equals("secrets.env")) {
                    Files.copy(f, target);
                }
            }
        }
        Path overlay = copy.resolve("overlays/example");
        Files.copy(overlay.resolve("secrets.env.example"), overlay.resolve("secrets.env"));
        Process p = new ProcessBuilder(kubectl.toString(), "kustomize", overlay.toString())
                .redirectError(dir.resolve("kustomize.err").toFile()).start();
        String built = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("kustomize.err"))).isZero();
        Path output = dir.resolve("built.yaml");
        Files.writeString(output, built);

        List<io.fabric8.kubernetes.api.model.HasMetadata> resources = new ArrayList<>();
        for (JsonNode doc : KubernetesManifests.documents(output)) {
            resources.add(KubernetesManifests.read(doc)); // strictly, as the files themselves
        }
        assertThat(resources).extracting(r -> r.getKind() + "/" + r.getMetadata().getName()).contains(
                "Namespace/farmgate", "Deployment/farmgate-gateway", "Deployment/farmgate-dns", "Deployment/redis",
                "Deployment/chat-backend", "Service/farmgate-gateway", "Service/farmgate-gateway-admin",
                "Service/farmgate-dns", "Service/redis", "NetworkPolicy/farmgate-gateway", "NetworkPolicy/farmgate-dns",
                "PodDisruptionBudget/farmgate-gateway", "PodDisruptionBudget/farmgate-dns", "PodDisruptionBudget/chat-backend");
        io.fabric8.kubernetes.api.model.Secret secret = resources.stream()
                .filter(io.fabric8.kubernetes.api.model.Secret.class::isInstance)
                .map(io.fabric8.kubernetes.api.model.Secret.class::cast).findFirst().orElseThrow();
        assertThat(secret.getMetadata().getName()).startsWith("farmgate-secrets-");
        assertThat(secret.getData()).containsOnlyKeys(KubernetesManifests.secretsExample().keySet());
        Map<String, CommandLine> subcommands = Farmgate.commandLine().getSubcommands();
        for (io.fabric8.kubernetes.api.model.HasMetadata r : resources) {
            if (!r.getKind().equals("Namespace")) {
                assertThat(r.getMetadata().getNamespace()).as(r.getMetadata().getName()).isEqualTo("farmgate");
            }
            if (!(r instanceof Deployment d)) {
                continue;
            }
            for (Container c : pod(d).getContainers()) {
                c.getEnv().stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                        .forEach(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo(secret.getMetadata().getName()));
                if (KubernetesManifests.runsFarmgate(c)) {
                    assertThat(problems("built " + d.getMetadata().getName() + "/" + c.getName(), c, subcommands)).isEmpty();
                }
            }
        }
        Deployment dns = (Deployment) resources.stream().filter(r -> r.getKind().equals("Deployment")
                && r.getMetadata().getName().equals("farmgate-dns")).findFirst().orElseThrow();
        Deployment patch = KubernetesManifests.deployment("overlays/example/dns-zone.yaml", "farmgate-dns");
        assertThat(KubernetesManifests.container(pod(dns), "dns").getArgs())
                .isEqualTo(KubernetesManifests.container(pod(patch), "dns").getArgs());
        assertThat(KubernetesManifests.container(pod(dns), "dns").getPorts()).isNotEmpty();
    }

    // ---- the farmgate commands ----

    /** What is wrong with a container that runs farmgate: unknown options or variables, values that do not validate. */
    private static List<String> problems(String where, Container c, Map<String, CommandLine> subcommands) throws IOException {
        List<String> problems = new ArrayList<>();
        // The image's ENTRYPOINT is java -jar farmgate.jar: a command would replace it.
        if (c.getCommand() != null && !c.getCommand().isEmpty()) {
            problems.add(where + ": a command replaces the image's entrypoint; give farmgate's arguments as args");
        }
        List<String> args = KubernetesManifests.args(c);
        if (args.isEmpty() || !subcommands.containsKey(args.get(0))) {
            problems.add(where + ": args must start with a farmgate command, not " + args);
            return problems;
        }
        CommandLine.Model.CommandSpec spec = subcommands.get(args.get(0)).getCommandSpec();
        for (String arg : args) {
            if (arg.startsWith("--") && spec.findOption(arg.replaceFirst("=.*", "")) == null) {
                problems.add(where + ": farmgate " + args.get(0) + " has no " + arg);
            }
        }
        Set<String> envNames = new TreeSet<>();
        spec.options().forEach(o -> envNames.add(ConfigDefaults.envName(o.longestName().replaceFirst("^-+", ""))));
        for (EnvVar e : c.getEnv()) {
            if (e.getName().startsWith(ConfigDefaults.ENV_PREFIX) && !envNames.contains(e.getName())) {
                problems.add(where + ": " + e.getName() + " is no option of farmgate " + args.get(0));
            }
        }
        try {
            ExampleCommand.check(where, args, KubernetesManifests.environment(c), null);
        } catch (AssertionError bad) {
            problems.add(bad.getMessage());
        }
        return problems;
    }

    @Test
    void everyFarmgateContainerRunsARealCommandWithRealOptionsAndEnvironment() throws IOException {
        Map<String, CommandLine> subcommands = Farmgate.commandLine().getSubcommands();
        List<String> failures = new ArrayList<>();
        Set<String> checked = new TreeSet<>();
        List<Manifest> all = KubernetesManifests.all();
        for (Manifest m : all) {
            if (!(m.resource() instanceof Deployment d)) {
                continue;
            }
            for (Container declared : pod(d).getContainers()) {
                Container c = KubernetesManifests.effective(all, d, declared);
                if (KubernetesManifests.runsFarmgate(c)) {
                    failures.addAll(problems(m.where() + " container " + c.getName(), c, subcommands));
                    checked.add(ROOT.relativize(m.file()) + ":" + c.getArgs().get(0));
                }
            }
        }
        assertThat(failures).isEmpty();
        assertThat(checked).containsExactlyInAnyOrder(BASE_GATEWAY + ":gateway", BASE_DNS + ":dns",
                "overlays/example/dns-zone.yaml:dns", BACKEND + ":agent");
    }

    @Test
    void aMistypedOptionAnUnknownVariableOrABadValueIsCaught() throws IOException {
        Map<String, CommandLine> subcommands = Farmgate.commandLine().getSubcommands();
        Container gateway = KubernetesManifests.container(pod(KubernetesManifests.deployment(BASE_GATEWAY, "farmgate-gateway")), "gateway");
        assertThat(problems("as shipped", gateway, subcommands)).isEmpty();

        Container mistyped = new ContainerBuilder(gateway).withArgs(gateway.getArgs().stream()
                .map(a -> a.equals("--admin-listen") ? "--admin-port" : a).toList()).build();
        assertThat(problems("t", mistyped, subcommands)).anyMatch(p -> p.contains("has no --admin-port"));

        Container unknownVariable = new ContainerBuilder(gateway).addNewEnv().withName("FARMGATE_ADMIN_TOKN")
                .withValue("x").endEnv().build();
        assertThat(problems("t", unknownVariable, subcommands)).anyMatch(p -> p.contains("FARMGATE_ADMIN_TOKN is no option"));

        Container badValue = new ContainerBuilder(gateway).withArgs(gateway.getArgs().stream()
                .map(a -> a.equals("0.0.0.0:8081") ? "0.0.0.0:80810" : a).toList()).build();
        assertThat(problems("t", badValue, subcommands)).anyMatch(p -> p.contains("80810"));

        Container withoutSecret = new ContainerBuilder(gateway).withEnv(List.of()).build();
        assertThat(problems("t", withoutSecret, subcommands)).anyMatch(p -> p.contains("--redis"));
    }

    @Test
    void gatewayPortsProbesAndServicesAreWhereItsListenersAre() throws IOException {
        List<Manifest> all = KubernetesManifests.all();
        Deployment d = KubernetesManifests.deployment(BASE_GATEWAY, "farmgate-gateway");
        PodSpec pod = pod(d);
        Container c = KubernetesManifests.container(pod, "gateway");
        GatewayCommand g = (GatewayCommand) command(c);
        ListenAddress listen = ListenAddress.parse("listen", g.listen);
        ListenAddress admin = ListenAddress.parse("adminListen", g.adminListen);
        assertAllInterfaces("--listen", listen);
        assertAllInterfaces("--admin-listen", admin);

        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        assertThat(port(c, "http").getContainerPort()).isEqualTo(listen.port());
        assertThat(port(c, "admin").getContainerPort()).isEqualTo(admin.port());
        // docs/gateway.md: the public listener serves /healthz and /readyz.
        assertHttpProbe("readiness", c.getReadinessProbe(), pod, "/readyz", listen.port());
        assertHttpProbe("liveness", c.getLivenessProbe(), pod, "/healthz", listen.port());
        assertHttpProbe("startup", c.getStartupProbe(), pod, "/healthz", listen.port());
        assertThat(g.adminToken).as("admin token from the Secret").isEqualTo(KubernetesManifests.secretsExample().get("admin-token"));
        assertThat(g.tokenSecret).isEqualTo(KubernetesManifests.secretsExample().get("token-secret"));

        Service publicService = service(all, "farmgate-gateway");
        Service adminService = service(all, "farmgate-gateway-admin");
        assertThat(selected(all, publicService.getSpec().getSelector())).containsExactly(d);
        assertThat(selected(all, adminService.getSpec().getSelector())).containsExactly(d);
        assertThat(targetPorts(publicService, pod)).containsExactly(listen.port());
        assertThat(adminService.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(targetPorts(adminService, pod)).containsExactly(admin.port());
        assertThat(all).as("no other Service reaches the admin port").allSatisfy(m -> {
            if (m.resource() instanceof Service s && s != adminService && selected(all, s.getSpec().getSelector()).contains(d)) {
                assertThat(targetPorts(s, pod)).doesNotContain(admin.port());
            }
        });

        PodDisruptionBudget pdb = KubernetesManifests.ofKind(all, PodDisruptionBudget.class).stream()
                .filter(b -> b.getMetadata().getName().equals("farmgate-gateway")).findFirst().orElseThrow();
        assertThat(selects(pdb.getSpec().getSelector(), podLabels(d))).isTrue();
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isBetween(1, d.getSpec().getReplicas() - 1);
    }

    @Test
    void dnsPortsProbesAndServiceMap53ToAHighPortWithoutRoot() throws IOException {
        List<Manifest> all = KubernetesManifests.all();
        Deployment d = KubernetesManifests.deployment(BASE_DNS, "farmgate-dns");
        PodSpec pod = pod(d);
        Deployment patch = KubernetesManifests.deployment("overlays/example/dns-zone.yaml", "farmgate-dns");
        for (Container c : List.of(KubernetesManifests.container(pod, "dns"),
                KubernetesManifests.effective(all, patch, KubernetesManifests.container(pod(patch), "dns")))) {
            DnsCommand dns = (DnsCommand) command(c);
            ListenAddress listen = ListenAddress.parse("listen", dns.listen);
            ListenAddress metrics = ListenAddress.parse("metricsListen", dns.metricsListen);
            assertAllInterfaces("--listen", listen);
            assertAllInterfaces("--metrics-listen", metrics);
            assertThat(listen.port()).as("non-root: above 1023").isGreaterThan(1023);
            assertThat(port(c, "dns-udp").getContainerPort()).isEqualTo(listen.port());
            assertThat(port(c, "dns-udp").getProtocol()).isEqualTo("UDP");
            assertThat(port(c, "dns-tcp").getContainerPort()).isEqualTo(listen.port());
            assertThat(port(c, "dns-tcp").getProtocol()).isEqualTo("TCP");
            assertThat(port(c, "metrics").getContainerPort()).isEqualTo(metrics.port());
            assertHttpProbe("readiness", c.getReadinessProbe(), pod, "/readyz", metrics.port());
            assertHttpProbe("liveness", c.getLivenessProbe(), pod, "/healthz", metrics.port());
            assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(c.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
        }
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();

        Service service = service(all, "farmgate-dns");
        assertThat(selected(all, service.getSpec().getSelector())).containsExactly(d);
        assertThat(service.getSpec().getPorts()).extracting(ServicePort::getPort, ServicePort::getProtocol)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(53, "UDP"), org.assertj.core.groups.Tuple.tuple(53, "TCP"));
        for (ServicePort p : service.getSpec().getPorts()) {
            ContainerPort target = pod.getContainers().get(0).getPorts().stream()
                    .filter(cp -> cp.getContainerPort() == KubernetesManifests.portNumber(pod, p.getTargetPort()))
                    .filter(cp -> cp.getProtocol().equals(p.getProtocol())).findFirst().orElse(null);
            assertThat(target).as("%s/%s reaches a container port of that protocol", p.getPort(), p.getProtocol()).isNotNull();
        }
        // Response rate limiting counts per client network: the Service must keep the client's address.
        assertThat(service.getSpec().getExternalTrafficPolicy()).isEqualTo("Local");
    }

    private static Service service(List<Manifest> all, String name) {
        return KubernetesManifests.ofKind(all, Service.class).stream()
                .filter(s -> s.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no Service " + name));
    }

    private static List<Integer> targetPorts(Service s, PodSpec pod) {
        return s.getSpec().getPorts().stream().map(p -> KubernetesManifests.portNumber(pod, p.getTargetPort())).toList();
    }

    @Test
    void everyServiceAndBudgetSelectsPodsAndEveryTargetPortExists() throws IOException {
        List<Manifest> all = KubernetesManifests.all();
        for (Service s : KubernetesManifests.ofKind(all, Service.class)) {
            List<Deployment> pods = selected(all, s.getSpec().getSelector());
            assertThat(pods).as("Service %s selects a Deployment's pods", s.getMetadata().getName()).isNotEmpty();
            for (Deployment d : pods) {
                for (ServicePort p : s.getSpec().getPorts()) {
                    int n = KubernetesManifests.portNumber(pod(d), p.getTargetPort());
                    assertThat(pod(d).getContainers().stream().flatMap(c -> c.getPorts().stream())
                            .anyMatch(cp -> cp.getContainerPort() == n && cp.getProtocol().equals(p.getProtocol())))
                            .as("Service %s port %s -> %s", s.getMetadata().getName(), p.getName(), p.getTargetPort()).isTrue();
                }
            }
        }
        for (PodDisruptionBudget b : KubernetesManifests.ofKind(all, PodDisruptionBudget.class)) {
            assertThat(selected(all, b.getSpec().getSelector().getMatchLabels())).as("budget %s", b.getMetadata().getName())
                    .hasSize(1);
        }
        for (Deployment d : KubernetesManifests.ofKind(all, Deployment.class)) {
            if (d.getSpec().getSelector() != null) {
                assertThat(selects(d.getSpec().getSelector(), podLabels(d))).as("Deployment %s selects its own pods",
                        d.getMetadata().getName()).isTrue();
            }
        }
    }

    @Test
    void onlyLabelledPodsReachTheAdminAndMetricsPorts() throws IOException {
        List<Manifest> all = KubernetesManifests.all();
        List<NetworkPolicy> policies = KubernetesManifests.ofKind(all, NetworkPolicy.class);
        assertThat(policies).extracting(p -> p.getMetadata().getName()).contains("farmgate-gateway", "farmgate-dns");
        for (NetworkPolicy policy : policies) {
            List<Deployment> pods = selected(all, policy.getSpec().getPodSelector().getMatchLabels());
            assertThat(pods).as(policy.getMetadata().getName()).hasSize(1);
            PodSpec pod = pod(pods.get(0));
            assertThat(policy.getSpec().getPolicyTypes()).contains("Ingress");
            Set<Integer> guarded = new TreeSet<>();
            pod.getContainers().forEach(c -> c.getPorts().stream().filter(p -> Set.of("admin", "metrics").contains(p.getName()))
                    .forEach(p -> guarded.add(p.getContainerPort())));
            assertThat(guarded).as(policy.getMetadata().getName()).isNotEmpty();
            Set<Integer> openToAll = new TreeSet<>();
            Set<Integer> openToLabelled = new TreeSet<>();
            for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
                boolean fromAnyone = rule.getFrom() == null || rule.getFrom().isEmpty();
                if (!fromAnyone) {
                    assertThat(rule.getFrom()).allSatisfy(peer -> {
                        assertThat(peer.getIpBlock()).isNull();
                        assertThat(peer.getPodSelector().getMatchLabels()).containsEntry("farmgate.io/admin-access", "true");
                    });
                }
                for (NetworkPolicyPort p : rule.getPorts()) {
                    int n = KubernetesManifests.portNumber(pod, p.getPort());
                    assertThat(n).as("%s: port %s exists", policy.getMetadata().getName(), p.getPort()).isPositive();
                    (fromAnyone ? openToAll : openToLabelled).add(n);
                }
            }
            assertThat(openToAll).as("%s: open to all", policy.getMetadata().getName()).doesNotContainAnyElementsOf(guarded);
            assertThat(openToLabelled).containsAll(guarded);
        }
    }

    // ---- the example backend and its sidecar ----

    @Test
    void backendPodDrainsThroughItsHookWithinTheGracePeriod() throws IOException {
        Deployment d = KubernetesManifests.deployment(BACKEND, "chat-backend");
        PodSpec pod = pod(d);
        Container backend = KubernetesManifests.container(pod, "backend");
        Container sidecar = KubernetesManifests.container(pod, "farmgate-agent");
        AgentCommand agent = (AgentCommand) command(sidecar);
        Map<String, String> backendEnv = KubernetesManifests.environment(backend);

        // An ordinary container: a native sidecar (init container, restartPolicy Always) would get
        // SIGTERM only after the backend has exited.
        assertThat(pod.getInitContainers()).isNullOrEmpty();
        // Counts the backend's port, calls its hook on the pod's loopback.
        assertThat(agent.port).isEqualTo(port(backend, "ws").getContainerPort())
                .isEqualTo(Integer.parseInt(backendEnv.get("PORT")));
        URI hook = agent.shedUri();
        assertThat(hook.getHost()).isEqualTo("127.0.0.1");
        assertThat(hook.getPort()).isEqualTo(Integer.parseInt(backendEnv.get("HOOK_PORT")));
        assertThat(hook.getPath()).isEqualTo("/farmgate/shed");
        // Host id and address come from the pod; the URL defaults to ws://<pod IP>:<port>.
        var config = agent.agent.toConfig(agent.port);
        assertThat(config.hostId()).isEqualTo(KubernetesManifests.FIELD_EXAMPLES.get("metadata.name"));
        assertThat(config.address()).isEqualTo(KubernetesManifests.FIELD_EXAMPLES.get("status.podIP"));
        assertThat(config.url()).isEqualTo("ws://" + config.address() + ":" + agent.port);
        // The CPU measured is the backend's: its pid file, in a volume both containers mount, in a shared PID namespace.
        assertThat(pod.getShareProcessNamespace()).isTrue();
        Path pidDir = agent.pidFile.getParent();
        assertThat(backend.getCommand()).last().asString().contains("echo $$ > " + agent.pidFile + " && exec node sidecar-server.js");
        String volume = mountOf(backend, pidDir);
        assertThat(mountOf(sidecar, pidDir)).isEqualTo(volume).isNotNull();

        // The drain fits the grace period, and the backend waits for the agent's drain.
        long drainMillis = agent.agent.drainPeriodMillis;
        long backendWaitMillis = Long.parseLong(backendEnv.get("DRAIN_WAIT_MS"));
        long graceMillis = pod.getTerminationGracePeriodSeconds() * 1000;
        assertThat(backendWaitMillis).isGreaterThanOrEqualTo(drainMillis);
        // sidecar-server.js allows close handshakes 3 s after its wait; the JVM's exit needs a moment too.
        assertThat(graceMillis).isGreaterThanOrEqualTo(backendWaitMillis + 3_000 + 5_000);
        // A rollout starts a new pod before it drains an old one.
        assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
    }

    private static String mountOf(Container c, Path dir) {
        return c.getVolumeMounts().stream().filter(m -> Path.of(m.getMountPath()).equals(dir))
                .map(VolumeMount::getName).findFirst().orElse(null);
    }

    // ---- images and resources ----

    @Test
    @SuppressWarnings("unchecked")
    void imagesAreTheOnesTheRepositoryBuilds() throws IOException {
        Map<String, Object> compose = new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(Files.readString(ROOT.resolve("../../compose/docker-compose.yml").normalize()));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        String farmgateImage = (String) services.get("gateway-1").get("image");
        String nodeImage = (String) services.get("node-1").get("image");
        assertThat(farmgateImage).isEqualTo("farmgate:dev");
        assertThat(Files.readString(ROOT.resolve("../../compose/Dockerfile").normalize()))
                .contains("ENTRYPOINT [\"java\", \"-jar\", \"farmgate.jar\"]");

        Set<String> images = new TreeSet<>();
        for (Path file : List.of(ROOT.resolve(BASE_GATEWAY), ROOT.resolve(BASE_DNS), ROOT.resolve(BACKEND))) {
            for (JsonNode doc : KubernetesManifests.documents(file)) {
                if (KubernetesManifests.read(doc) instanceof Deployment d) {
                    pod(d).getContainers().forEach(c -> images.add(c.getImage()));
                }
            }
        }
        assertThat(images).containsExactlyInAnyOrder(farmgateImage, nodeImage);
        assertThat(Files.readString(ROOT.resolve("../../compose/node-backend/Dockerfile").normalize()))
                .contains("COPY compose/node-backend/server.js compose/node-backend/sidecar-server.js ./");
    }

    @Test
    void everyContainerRequestsCpuAndMemoryAndCapsMemory() throws IOException {
        for (Deployment d : KubernetesManifests.ofKind(KubernetesManifests.all(), Deployment.class)) {
            for (Container c : pod(d).getContainers()) {
                if (c.getImage() == null) {
                    continue; // a patch
                }
                String where = d.getMetadata().getName() + "/" + c.getName();
                assertThat(c.getResources().getRequests()).as(where).containsKeys("cpu", "memory");
                Quantity request = c.getResources().getRequests().get("memory");
                Quantity limit = c.getResources().getLimits().get("memory");
                assertThat(limit).as(where + ": memory limit").isNotNull();
                assertThat(limit.getNumericalAmount()).as(where).isGreaterThanOrEqualTo(request.getNumericalAmount());
                assertThat(c.getResources().getLimits()).as(where + ": no CPU limit (throttling)").doesNotContainKey("cpu");
            }
        }
    }
}
