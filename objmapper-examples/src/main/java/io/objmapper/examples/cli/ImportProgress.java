package io.objmapper.examples.cli;

/** Told as an import goes: objects and bytes done so far. */
interface ImportProgress extends AutoCloseable {
  /** Nothing shown. */
  ImportProgress NONE = new ImportProgress() {
    @Override
    public void step(long objects, long bytes) {}

    @Override
    public void close() {}
  };

  /** {@code objects} more objects of {@code bytes} bytes are done. */
  void step(long objects, long bytes);

  @Override
  void close();
}
