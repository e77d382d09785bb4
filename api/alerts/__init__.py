"""Vision alerts (预警): delivery by vision nodes, handling by the monitoring centre, live stream."""
