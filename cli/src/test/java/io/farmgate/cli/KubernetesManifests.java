package io.farmgate.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads deploy/kubernetes into fabric8's typed Kubernetes model, strictly: a field the API does not
 * have, a wrong type (a string where a number belongs, a number where a string belongs, as
 * {@code kubectl apply} refuses it too) or a duplicated key fails. fabric8's classes keep unknown
 * fields in an "additional properties" map; the reader here turns that off, so they fail instead.
 * The documents are first read as trees, with duplicate keys refused.
 */
final class KubernetesManifests {

    static final Path ROOT = ExampleCommand.repositoryRoot().resolve("deploy/kubernetes");

    /** The kinds the manifests use, by apiVersion/kind; a new kind must be added here to be read. */
    static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "apps/v1/Deployment", Deployment.class,
            "v1/Service", Service.class,
            "v1/Namespace", Namespace.class,
            "v1/Secret", Secret.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/ServiceAccount", ServiceAccount.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class);

    /** The example values of the Secret the manifests read (overlays/example/secrets.env.example). */
    static final Path SECRETS_EXAMPLE = ROOT.resolve("overlays/example/secrets.env.example");

    /** What the kubelet would put in for the downward API fields the manifests use. */
    static final Map<String, String> FIELD_EXAMPLES = Map.of(
            "metadata.name", "chat-backend-5d8f7c9b6-x2x7k",
            "status.podIP", "10.244.1.17");

    private static final ObjectMapper STRICT = strictMapper();
    private static final ObjectMapper TREE = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    private static final Pattern VARIABLE_REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    /** One document of a manifest file and where it came from. */
    record Manifest(Path file, int index, HasMetadata resource) {
        String where() {
            return ROOT.relativize(file) + "#" + index + " " + resource.getKind() + "/" + resource.getMetadata().getName();
        }
    }

    private KubernetesManifests() {
    }

    static ObjectMapper strictMapper() {
        YAMLMapper mapper = YAMLMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .annotationIntrospector(new JacksonAnnotationIntrospector() {
                    private static final long serialVersionUID = 1L;

                    @Override
                    public Boolean hasAnySetter(Annotated a) {
                        return null; // fabric8's @JsonAnySetter would swallow unknown fields
                    }
                })
                .build();
        // The API server refuses `value: 2` for a string field (an env var's value, a label): so does this.
        for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.Boolean)) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        return mapper;
    }

    /** Every YAML file under deploy/kubernetes but the kustomization files. */
    static List<Path> manifestFiles() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(f -> f.toString().endsWith(".yaml"))
                    .filter(f -> !f.getFileName().toString().equals("kustomization.yaml")).sorted().toList();
        }
    }

    /** Every kustomization.yaml under deploy/kubernetes. */
    static List<Path> kustomizations() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(f -> f.getFileName().toString().equals("kustomization.yaml")).sorted().toList();
        }
    }

    /** The YAML documents of a file as trees (empty documents dropped). */
    static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var it = TREE.readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(file))) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    /**
     * One document read strictly into its typed class.
     *
     * @throws IllegalArgumentException naming the kind when it is not one of {@link #KINDS}
     * @throws IOException when a field is unknown or has the wrong type
     */
    static HasMetadata read(JsonNode doc) throws IOException {
        String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
        Class<? extends HasMetadata> type = KINDS.get(key);
        if (type == null) {
            throw new IllegalArgumentException("kind " + key + " is not one the test knows (KubernetesManifests.KINDS)");
        }
        return STRICT.treeToValue(doc, type);
    }

    /** Reads the text of one manifest strictly; for tests of the reader itself. */
    static HasMetadata read(String yaml) throws IOException {
        return read(TREE.readTree(yaml));
    }

    /** Every document of every manifest file, typed. */
    static List<Manifest> all() throws IOException {
        List<Manifest> all = new ArrayList<>();
        for (Path file : manifestFiles()) {
            List<JsonNode> docs = documents(file);
            for (int i = 0; i < docs.size(); i++) {
                all.add(new Manifest(file, i, read(docs.get(i))));
            }
        }
        return all;
    }

    static <T extends HasMetadata> List<T> ofKind(List<Manifest> all, Class<T> type) {
        return all.stream().map(Manifest::resource).filter(type::isInstance).map(type::cast).toList();
    }

    /** The Deployment of that name in that file (relative to deploy/kubernetes). */
    static Deployment deployment(String file, String name) throws IOException {
        for (JsonNode doc : documents(ROOT.resolve(file))) {
            if (read(doc) instanceof Deployment d && d.getMetadata().getName().equals(name)) {
                return d;
            }
        }
        throw new AssertionError("no Deployment " + name + " in " + file);
    }

    static Container container(PodSpec pod, String name) {
        return pod.getContainers().stream().filter(c -> c.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name));
    }

    /**
     * The container as the kustomization would build it: a patch's container (no image of its own)
     * takes what it does not set from the container of the same name in the patched Deployment;
     * args replace the base's whole list, env entries merge by name (strategic merge).
     */
    static Container effective(List<Manifest> all, Deployment owner, Container c) {
        if (c.getImage() != null) {
            return c;
        }
        Container base = ofKind(all, Deployment.class).stream()
                .filter(d -> d != owner && d.getMetadata().getName().equals(owner.getMetadata().getName()))
                .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream())
                .filter(b -> b.getName().equals(c.getName()) && b.getImage() != null).findFirst()
                .orElseThrow(() -> new AssertionError("patch of " + owner.getMetadata().getName() + "/" + c.getName()
                        + ": no such container in the manifests"));
        Map<String, EnvVar> env = new LinkedHashMap<>();
        base.getEnv().forEach(e -> env.put(e.getName(), e));
        c.getEnv().forEach(e -> env.put(e.getName(), e));
        return new ContainerBuilder(base)
                .withArgs(c.getArgs().isEmpty() ? base.getArgs() : c.getArgs())
                .withEnv(new ArrayList<>(env.values()))
                .build();
    }

    /** Does this container run farmgate (the image compose/Dockerfile builds, entrypoint java -jar farmgate.jar)? */
    static boolean runsFarmgate(Container c) {
        return c.getImage() != null && c.getImage().matches("(.*/)?farmgate(:[^/]+)?");
    }

    /** KEY=VALUE lines of an env file, comments and blank lines skipped. */
    static Map<String, String> secretsExample() throws IOException {
        return ComposeFilesTest.envFile(SECRETS_EXAMPLE);
    }

    /**
     * The container's environment as the kubelet would set it: literal values, Secret keys from
     * secrets.env.example, downward API fields from {@link #FIELD_EXAMPLES}.
     */
    static Map<String, String> environment(Container c) throws IOException {
        Map<String, String> secrets = secretsExample();
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            String value;
            if (e.getValueFrom() == null) {
                value = expand(e.getValue(), env);
            } else if (e.getValueFrom().getSecretKeyRef() != null) {
                String key = e.getValueFrom().getSecretKeyRef().getKey();
                value = secrets.get(key);
                if (value == null) {
                    throw new AssertionError(c.getName() + ": env " + e.getName() + " reads Secret key " + key
                            + ", which " + ROOT.relativize(SECRETS_EXAMPLE) + " does not have");
                }
            } else if (e.getValueFrom().getFieldRef() != null) {
                String field = e.getValueFrom().getFieldRef().getFieldPath();
                value = FIELD_EXAMPLES.get(field);
                if (value == null) {
                    throw new AssertionError(c.getName() + ": env " + e.getName() + " reads field " + field
                            + ", which the test does not know (KubernetesManifests.FIELD_EXAMPLES)");
                }
            } else {
                throw new AssertionError(c.getName() + ": env " + e.getName() + ": only value, secretKeyRef and fieldRef are read");
            }
            env.put(e.getName(), value);
        }
        return env;
    }

    /** The container's args with $(VAR) expanded from its environment, as the kubelet does. */
    static List<String> args(Container c) throws IOException {
        Map<String, String> env = environment(c);
        return c.getArgs().stream().map(a -> expand(a, env)).toList();
    }

    /** $(VAR) replaced by the variable's value when it is defined; left as is otherwise (as Kubernetes does). */
    static String expand(String text, Map<String, String> env) {
        if (text == null) {
            return "";
        }
        Matcher m = VARIABLE_REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = env.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(v != null ? v : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The number of a container port given by name or number, or -1 when the pod has none such. */
    static int portNumber(PodSpec pod, IntOrString port) {
        if (port == null) {
            return -1;
        }
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return pod.getContainers().stream().flatMap(c -> c.getPorts().stream())
                .filter(p -> port.getStrVal().equals(p.getName())).mapToInt(p -> p.getContainerPort())
                .findFirst().orElse(-1);
    }
}
