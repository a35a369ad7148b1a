package com.salesaggregator.job.records;

/**
 * Units of one product in one one-minute pane: the building block of the five-minute sliding
 * windows.
 *
 * @param productId the product
 * @param name product name on the pane's latest line
 * @param category product category on that line
 * @param latestEventTime event time of that line (which name wins across panes)
 * @param paneStart pane start, epoch millis
 * @param units units sold in the pane
 */
public record ProductPane(
        String productId,
        String name,
        String category,
        long latestEventTime,
        long paneStart,
        long units) {}
