/** The objmapper tier SPI: depends on the JDK only. */
module io.objmapper.spi {
  exports io.objmapper.spi;
}
