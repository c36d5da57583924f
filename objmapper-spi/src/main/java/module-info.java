/**
 * The objmapper tier SPI: what a storage tier plugin implements, and the discovery of
 * plugins. Depends on the JDK only.
 *
 * <p>A plugin module declares its provider:
 * {@code provides io.objmapper.spi.TierProvider with com.example.MyTierProvider;}
 */
module io.objmapper.spi {
  exports io.objmapper.spi;

  uses io.objmapper.spi.TierProvider;
}
