package io.hyperstar.model;

/** The paper's ablations (Tables 1-2): batch-wise mean with or without the similarity and adversarial terms. */
public enum Variant {
    BM(false, false), BM_GAN(false, true), BM_SIM(true, false), BM_SIM_GAN(true, true);

    private final boolean similarity;
    private final boolean adversarial;

    Variant(boolean similarity, boolean adversarial) {
        this.similarity = similarity;
        this.adversarial = adversarial;
    }

    public boolean similarity() {
        return similarity;
    }

    public boolean adversarial() {
        return adversarial;
    }

    /** The variant with this label ("BM", "BM+GAN", "BM+Sim", "BM+Sim+GAN"), if any. */
    public static java.util.Optional<Variant> fromLabel(String label) {
        return java.util.Arrays.stream(values()).filter(v -> v.label().equals(label)).findFirst();
    }

    /** The label the paper's tables use. */
    public String label() {
        return switch (this) {
            case BM -> "BM";
            case BM_GAN -> "BM+GAN";
            case BM_SIM -> "BM+Sim";
            case BM_SIM_GAN -> "BM+Sim+GAN";
        };
    }
}
