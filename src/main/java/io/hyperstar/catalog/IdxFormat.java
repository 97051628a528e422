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
        int[] lblDims;
        byte[] lblBytes;
        try (DataInputStream in = open(images)) {
            imgDims = header(in, images, 3);
            imgBytes = body(in, images, (long) imgDims[0] * imgDims[1] * imgDims[2]);
        } catch (DatasetException e) {
            throw e;
        } catch (IOException e) {
            throw new DatasetException(images + ": unreadable IDX file: " + e.getMessage(), e);
        }
        try (DataInputStream in = open(labels)) {
            lblDims = header(in, labels, 1);
            lblBytes = body(in, labels, lblDims[0]);
        } catch (DatasetException e) {
            throw e;
        } catch (IOException e) {
            throw new DatasetException(labels + ": unreadable IDX file: " + e.getMessage(), e);
        }
        if (imgDims[0] != lblDims[0]) {
            throw new DatasetException(images + " holds " + imgDims[0] + " images but " + labels + " holds "
                    + lblDims[0] + " labels");
        }
        int[] lb = new int[lblDims[0]];
        for (int i = 0; i < lb.length; i++) {
            lb[i] = lblBytes[i] & 0xff;
            if (lb[i] >= numClasses) {
                throw new DatasetException(labels + ": label " + lb[i] + " of item " + i + " is out of range 0.."
                        + (numClasses - 1));
            }
        }
        float[] px = new float[imgBytes.length];
        for (int i = 0; i < px.length; i++) {
            px[i] = (imgBytes[i] & 0xff) / 255f;
        }
        return new ImageSet(imgDims[1], imgDims[2], px, lb);
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
        int[] order = java.util.stream.IntStream.range(0, indices.length).boxed()
                .sorted(java.util.Comparator.comparingInt(k -> indices[k])).mapToInt(Integer::intValue).toArray();
        int[] dims;
        float[] px;
        try (DataInputStream in = open(images)) {
            dims = header(in, images, 3);
            int n = dims[1] * dims[2];
            px = new float[indices.length * n];
            byte[] one = new byte[n];
            long at = 0;
            for (int k : order) {
                int i = indices[k];
                if (i < 0 || i >= dims[0]) {
                    throw new IllegalArgumentException("image " + i + " of " + dims[0]);
                }
                if (i >= at) {
                    in.skipNBytes((i - at) * n);
                    if (in.readNBytes(one, 0, n) < n) {
                        throw new DatasetException(images + ": truncated IDX file: image " + i + " is missing");
                    }
                    at = i + 1L;
                } // else a repeat of the image just read: the same bytes
                for (int p = 0; p < n; p++) {
                    px[k * n + p] = (one[p] & 0xff) / 255f;
                }
            }
        } catch (DatasetException e) {
            throw e;
        } catch (java.io.EOFException e) {
            throw new DatasetException(images + ": truncated IDX file: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new DatasetException(images + ": unreadable IDX file: " + e.getMessage(), e);
        }
        int[] lb = new int[indices.length];
        try (DataInputStream in = open(labels)) {
            int[] ldims = header(in, labels, 1);
            if (ldims[0] != dims[0]) {
                throw new DatasetException(images + " holds " + dims[0] + " images but " + labels + " holds " + ldims[0] + " labels");
            }
            long at = 0;
            int last = 0;
            for (int k : order) {
                int i = indices[k];
                if (i >= at) {
                    in.skipNBytes(i - at);
                    last = in.readUnsignedByte();
                    at = i + 1L;
                }
                lb[k] = last;
            }
        } catch (DatasetException e) {
            throw e;
        } catch (IOException e) {
            throw new DatasetException(labels + ": unreadable IDX file: " + e.getMessage(), e);
        }
        return new ImageSet(dims[1], dims[2], px, lb);
    }

    /** The highest label of an IDX label file, plus one (0 when it holds none). */
    public static int labelCount(Path labels) throws DatasetException {
        try (DataInputStream in = open(labels)) {
            int[] dims = header(in, labels, 1);
            byte[] b = body(in, labels, dims[0]);
            int most = -1;
            for (byte x : b) {
                most = Math.max(most, x & 0xff);
            }
            return most + 1;
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
