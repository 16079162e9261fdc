"""Everything that draws: interactive HTML maps, static images, their geometry and assets."""
