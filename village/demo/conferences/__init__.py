"""The demo's parent-teacher conferences (after ``village.demo.classwork``): a round at
Riverside K-8, open for booking, with Ms. Rivera's and Mr. Chen's times and some booked."""
