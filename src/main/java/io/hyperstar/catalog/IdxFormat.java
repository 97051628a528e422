package io.hyperstar.catalog;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Reads and writes the IDX format of MNIST and Fashion-MNIST (unsigned bytes, big-endian header), plain or gzipped
 * (chosen by a ".gz" suffix): one of the two dataset formats the service accepts.
 */
public final class IdxFormat {

    private static final int UNSIGNED_BYTE = 0x08;

    private IdxFormat() {
    }

    /** Reads an image file (3 dimensions) and its label file (1 dimension); labels must lie in [0, numClasses). */
    public static ImageSet read(Path images, Path labels, int numClasses) throws DatasetException {
        int[] imgDims;
        byte[] imgBytes;
        byte[] lblBytes;
        try (DataInputStream in = open(images)) {
            imgDims = header(in, images, 3);
            imgBytes = body(in, images, (long) imgDims[0] * imgDims[1] * imgDims[2]);
        } catch (DatasetException e) {
            throw e;
        } catch (IOException e) {
            throw new DatasetException(images + ": unreadable IDX file: " + e.getMessage(), e);
        }
        lblBytes = labelBytes(labels);
        if (imgDims[0] != lblBytes.length) {
            throw new DatasetException(images + " holds " + imgDims[0] + " images but " + labels + " holds "
                    + lblBytes.length + " labels");
        }
        int[] lb = new int[lblBytes.length];
        for (int i = 0; i < lb.length; i++) {
            lb[i] = lblBytes[i] & 0xff;
            if (lb[i] >= numClasses) {
                throw new DatasetException(labels + ": label " + lb[i] + " of item " + i + " is out of range 0.."
                        + (numClasses - 1));
            }
        }
        return new ImageSet(imgDims[1], imgDims[2], pixels(imgBytes), lb);
    }

    /** Number of images, height and width of an IDX image file, from its header alone. */
    public static int[] imageShape(Path images) throws DatasetException {
        try (DataInputStream in = open(images)) {
            return header(in, images, 3);
        } catch (DatasetException e) {
            throw e;
        } catch (IOException e) {
            throw new DatasetException(images + ": unreadable IDX file: " + e.getMessage(), e);
        }
    }

    /**
     * Only the images (and labels) at the given indices, in that order (repeats allowed): one pass over each file that
     * skips what it does not need, so ranking a dataset of millions of images reads a few hundred of them into memory.
     */
    public static ImageSet readSome(Path images, Path labels, int[] indices) throws DatasetException {
        int[] dims;
        byte[] imgBytes;
        try (DataInputStream in = open(images)) {
            dims = header(in, images, 3);
            imgBytes = recordsAt(in, images, dims[0], dims[1] * dims[2], indices);
        } catch (DatasetException e) {
            throw e;
        } catch (IOException e) {
            throw new DatasetException(images + ": unreadable IDX file: " + e.getMessage(), e);
        }
        byte[] lblBytes;
        try (DataInputStream in = open(labels)) {
            int count = header(in, labels, 1)[0];
            if (count != dims[0]) {
                throw new DatasetException(images + " holds " + dims[0] + " images but " + labels + " holds " + count + " labels");
            }
            lblBytes = recordsAt(in, labels, count, 1, indices);
        } catch (DatasetException e) {
            throw e;
        } catch (IOException e) {
            throw new DatasetException(labels + ": unreadable IDX file: " + e.getMessage(), e);
        }
        int[] lb = new int[indices.length];
        for (int k = 0; k < lb.length; k++) {
            lb[k] = lblBytes[k] & 0xff;
        }
        return new ImageSet(dims[1], dims[2], pixels(imgBytes), lb);
    }

    /**
     * The records (of {@code size} bytes each, {@code count} in the file) at the given indices, in that order, from a
     * stream positioned after the header: read in file order, skipping the rest, each repeat copied.
     */
    private static byte[] recordsAt(DataInputStream in, Path file, int count, int size, int[] indices) throws IOException {
        int[] order = java.util.stream.IntStream.range(0, indices.length).boxed()
                .sorted(java.util.Comparator.comparingInt(k -> indices[k])).mapToInt(Integer::intValue).toArray();
        byte[] out = new byte[indices.length * size];
        long at = 0;
        int previous = -1; // the record read last, and where its bytes went
        int previousAt = 0;
        for (int k : order) {
            int i = indices[k];
            if (i < 0 || i >= count) {
                throw new IllegalArgumentException("record " + i + " of " + count);
            }
            if (i == previous) {
                System.arraycopy(out, previousAt * size, out, k * size, size);
                continue;
            }
            try {
                in.skipNBytes((i - at) * size);
            } catch (EOFException e) {
                throw new DatasetException(file + ": truncated IDX file: record " + i + " is missing");
            }
            if (in.readNBytes(out, k * size, size) < size) {
                throw new DatasetException(file + ": truncated IDX file: record " + i + " is missing");
            }
            at = i + 1L;
            previous = i;
            previousAt = k;
        }
        return out;
    }

    /** The highest label of an IDX label file, plus one (0 when it holds none). */
    public static int labelCount(Path labels) throws DatasetException {
        int most = -1;
        for (byte b : labelBytes(labels)) {
            most = Math.max(most, b & 0xff);
        }
        return most + 1;
    }

    /** Unsigned bytes as pixels in [0, 1]. */
    private static float[] pixels(byte[] bytes) {
        float[] px = new float[bytes.length];
        for (int i = 0; i < px.length; i++) {
            px[i] = (bytes[i] & 0xff) / 255f;
        }
        return px;
    }

    /** Every label of an IDX label file, as stored. */
    private static byte[] labelBytes(Path labels) throws DatasetException {
        try (DataInputStream in = open(labels)) {
            return body(in, labels, header(in, labels, 1)[0]);
        } catch (DatasetException e) {
            throw e;
        } catch (IOException e) {
            throw new DatasetException(labels + ": unreadable IDX file: " + e.getMessage(), e);
        }
    }

    /** Writes images (quantised to bytes) and labels as two IDX files. */
    public static void write(ImageSet set, Path images, Path labels) throws IOException {
        try (DataOutputStream out = create(images)) {
            out.writeInt(0x00000803);
            out.writeInt(set.size());
            out.writeInt(set.height());
            out.writeInt(set.width());
            byte[] b = new byte[set.pixels().length];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) Math.round(Math.max(0f, Math.min(1f, set.pixels()[i])) * 255f);
            }
            out.write(b);
        }
        try (DataOutputStream out = create(labels)) {
            out.writeInt(0x00000801);
            out.writeInt(set.size());
            for (int l : set.labels()) {
                if (l < 0 || l > 255) {
                    throw new IllegalArgumentException("IDX labels are bytes; got " + l);
                }
                out.writeByte(l);
            }
        }
    }

    private static int[] header(DataInputStream in, Path file, int expectedDims) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new DatasetException(file + ": truncated IDX file (no header)");
        }
        int type = (magic >>> 8) & 0xff;
        int dims = magic & 0xff;
        if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE) {
            throw new DatasetException(String.format("%s: bad IDX magic 0x%08x (expected 0x000008%02x)", file, magic,
                    expectedDims));
        }
        if (dims != expectedDims) {
            throw new DatasetException(file + ": IDX file has " + dims + " dimensions, expected " + expectedDims);
        }
        int[] sizes = new int[dims];
        for (int d = 0; d < dims; d++) {
            try {
                sizes[d] = in.readInt();
            } catch (EOFException e) {
                throw new DatasetException(file + ": truncated IDX header");
            }
            if (sizes[d] < 0) {
                throw new DatasetException(file + ": negative IDX dimension " + sizes[d]);
            }
        }
        return sizes;
    }

    private static byte[] body(DataInputStream in, Path file, long length) throws IOException {
        if (length > Integer.MAX_VALUE - 16) {
            throw new DatasetException(file + ": IDX body of " + length + " bytes is too large");
        }
        byte[] b = new byte[(int) length];
        int read = in.readNBytes(b, 0, b.length);
        if (read < b.length) {
            throw new DatasetException(file + ": truncated IDX file: header promises " + length + " bytes, found "
                    + read);
        }
        return b;
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new DatasetException(file + ": no such IDX file");
        }
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        if (file.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        return new DataInputStream(in);
    }

    private static DataOutputStream create(Path file) throws IOException {
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        if (file.getFileName().toString().endsWith(".gz")) {
            out = new GZIPOutputStream(out, 1 << 16);
        }
        return new DataOutputStream(out);
    }
}
