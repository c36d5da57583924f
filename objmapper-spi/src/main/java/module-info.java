/**
 * The objmapper tier SPI: what a storage tier plugin implements, the discovery of plugins,
 * and the directory tier machinery (safe open, atomic writes, scans) a file-based plugin
 * builds on. Depends on the JDK, slf4j-api and JNA.
 *
 * <p>A plugin module declares its provider:
 * {@code provides io.objmapper.spi.TierProvider with com.example.MyTierProvider;}
 */
module io.objmapper.spi {
  requires org.slf4j;
  requires com.sun.jna;

  exports io.objmapper.spi;
  exports io.objmapper.spi.dir;

  uses io.objmapper.spi.TierProvider;
}
