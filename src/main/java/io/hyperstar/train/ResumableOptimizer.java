package io.hyperstar.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SGD with momentum 0.9 or Adam, at a constant learning rate, whose state (moments and step counts) can be saved
 * and restored. DJL's own optimizers keep their state private, so a resumed trial would otherwise restart Adam's
 * moments and drift from the uninterrupted curve.
 */
final class ResumableOptimizer extends Optimizer {

    private static final float MOMENTUM = 0.9f;
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private final boolean adam;
    private final float lr;
    /** DJL parameter ids are random per instance; state is keyed by the stable parameter names instead. */
    private final Map<String, String> idToName;
    private final List<String> names;
    private final Map<String, NDArray> first = new HashMap<>();
    private final Map<String, NDArray> second = new HashMap<>();
    private final Map<String, Integer> steps = new HashMap<>();
    private final NDManager manager;

    ResumableOptimizer(String kind, float lr, Map<String, String> idToName, List<String> names, NDManager manager) {
        super(new Builder());
        this.adam = kind.equals("adam");
        this.lr = lr;
        this.idToName = idToName;
        this.names = names;
        this.manager = manager;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        String name = idToName.get(parameterId);
        int t = steps.merge(name, 1, Integer::sum);
        NDArray m = first.computeIfAbsent(name, k -> state(weight));
        if (adam) {
            NDArray v = second.computeIfAbsent(name, k -> state(weight));
            double c1 = 1 - Math.pow(BETA1, t);
            double c2 = 1 - Math.pow(BETA2, t);
            float corrected = (float) (lr * Math.sqrt(c2) / c1);
            weight.getNDArrayInternal().adamUpdate(new NDList(weight, grad, m, v), new NDList(weight), lr, corrected,
                    0f, rescaleGrad, clipGrad, BETA1, BETA2, EPSILON, true, false);
        } else {
            weight.getNDArrayInternal().sgdUpdate(new NDList(weight, grad, m), new NDList(weight), lr, 0f,
                    rescaleGrad, clipGrad, MOMENTUM, true);
        }
    }

    private NDArray state(NDArray weight) {
        NDArray s = manager.zeros(weight.getShape(), weight.getDataType(), weight.getDevice());
        return s;
    }

    void save(DataOutputStream out) throws IOException {
        out.writeInt(names.size());
        for (String n : names) {
            out.writeUTF(n);
            out.writeInt(steps.getOrDefault(n, 0));
            writeArray(out, first.get(n));
            writeArray(out, second.get(n));
        }
    }

    void load(DataInputStream in) throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            if (!names.contains(name)) {
                throw new IOException("checkpoint optimizer state names parameter '" + name
                        + "' that this network does not have");
            }
            int t = in.readInt();
            if (t > 0) {
                steps.put(name, t);
            }
            NDArray m = readArray(in);
            NDArray v = readArray(in);
            if (m != null) {
                first.put(name, m);
            }
            if (v != null) {
                second.put(name, v);
            }
        }
    }

    private static void writeArray(DataOutputStream out, NDArray a) throws IOException {
        if (a == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = a.encode();
        out.writeInt(b.length);
        out.write(b);
    }

    private NDArray readArray(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 0) {
            return null;
        }
        byte[] b = in.readNBytes(len);
        if (b.length != len) {
            throw new IOException("truncated optimizer state");
        }
        return manager.decode(b);
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
