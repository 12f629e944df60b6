"""Impact dashboard for library-based digital-education hub networks."""
